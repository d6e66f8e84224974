import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsSchema,
  migrateSettings,
} from '../../shared/settings';
import { contract } from '../../shared/contract';
import { SettingsStore } from '../../electron/services/config/settings-store';
import { settingsHandlers } from '../../electron/services/config/settings-handlers';
import {
  defaultConfigDir,
  defaultDataDir,
  defaultKnownHostsPath,
  resolveAppPaths,
} from '../../electron/services/config/paths';
import { DomainDefaults } from '../../electron/services/snapshot/domain-defaults';
import { createDispatcher } from '../../electron/services/dispatch';
import { createQuiesceService } from '../../electron/services/quiesce-service';

describe('migrating the settings file', () => {
  it('starts from the defaults when there is no file', () => {
    expect(migrateSettings(undefined)).toEqual({
      settings: DEFAULT_SETTINGS,
      from: null,
      dropped: [],
    });
    expect(SettingsSchema.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS.snapshot).toEqual({ policy: 'require', maxFreezeS: 10 });
  });

  it('carries a version 1 file forward (flat snapshot defaults, one notification switch)', () => {
    const v1 = {
      version: 1,
      dataDir: '/srv/quiesce',
      knownHostsPath: '/etc/ssh/ssh_known_hosts',
      policy: 'allow-crash-consistent',
      maxFreezeS: 30,
      notifications: false,
    };
    const { settings, from, dropped } = migrateSettings(v1);
    expect(from).toBe(1);
    expect(dropped).toEqual([]);
    expect(settings).toEqual({
      version: SETTINGS_VERSION,
      dataDir: '/srv/quiesce',
      knownHostsPath: '/etc/ssh/ssh_known_hosts',
      snapshot: { policy: 'allow-crash-consistent', maxFreezeS: 30 },
      notifications: { operationEnd: false },
    });
    expect(SettingsSchema.safeParse(settings).success).toBe(true);
  });

  it('reads the current version as it is', () => {
    const current = {
      ...DEFAULT_SETTINGS,
      snapshot: { policy: 'allow-crash-consistent', maxFreezeS: 60 },
      notifications: { operationEnd: false },
    };
    expect(migrateSettings(current)).toEqual({ settings: current, from: 2, dropped: [] });
  });

  it('keeps what it can from a damaged file, naming each value it had to drop', () => {
    const { settings, dropped } = migrateSettings({
      version: 2,
      dataDir: 'relative/path',
      knownHostsPath: '/ok/known_hosts',
      snapshot: { policy: 'sometimes', maxFreezeS: 500 },
      notifications: { operationEnd: 'yes' },
    });
    expect(settings.knownHostsPath).toBe('/ok/known_hosts');
    expect(settings.dataDir).toBeNull();
    expect(settings.snapshot).toEqual(DEFAULT_SETTINGS.snapshot);
    expect(settings.notifications).toEqual(DEFAULT_SETTINGS.notifications);
    expect(dropped).toEqual([
      'data folder',
      'default policy',
      'default maximum freeze',
      'notification when an operation ends',
    ]);
    expect(migrateSettings([1, 2]).dropped).toEqual(['the file (not a settings object)']);
    expect(migrateSettings('x').settings).toEqual(DEFAULT_SETTINGS);
  });

  it('reads a hand-written file without a version like version 1, and marks a newer one', () => {
    expect(migrateSettings({ maxFreezeS: 20 })).toMatchObject({
      from: 0,
      settings: { snapshot: { maxFreezeS: 20, policy: 'require' } },
    });
    const newer = migrateSettings({ ...DEFAULT_SETTINGS, version: 3, snapshot: { maxFreezeS: 5 } });
    expect(newer.newer).toBe(3);
    expect(newer.settings.snapshot.maxFreezeS).toBe(5);
  });
});

describe('the settings file', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'quiesce-settings-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('saves the current version privately and reads it back', async () => {
    const store = new SettingsStore(join(dir, 'config'));
    expect(await store.read()).toEqual(DEFAULT_SETTINGS);
    const input = {
      dataDir: '/srv/q',
      knownHostsPath: null,
      snapshot: { policy: 'allow-crash-consistent' as const, maxFreezeS: 25 },
      notifications: { operationEnd: false },
    };
    expect(await store.save(input)).toEqual({ version: SETTINGS_VERSION, ...input });
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ version: 2, ...input });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(await store.read()).toEqual({ version: SETTINGS_VERSION, ...input });
  });

  it('rewrites a version 1 file in the current shape on the next save', async () => {
    const store = new SettingsStore(dir);
    writeFileSync(store.path, JSON.stringify({ version: 1, maxFreezeS: 40, notifications: true }));
    const { settings } = await store.load();
    expect(settings.snapshot.maxFreezeS).toBe(40);
    await store.save(settings);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toMatchObject({
      version: 2,
      snapshot: { maxFreezeS: 40 },
    });
  });

  it('never writes over a newer Quiesce’s file, and says why', async () => {
    const store = new SettingsStore(dir);
    const newer = JSON.stringify({ version: 9, future: true });
    writeFileSync(store.path, newer);
    await expect(store.save(DEFAULT_SETTINGS)).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('newer Quiesce'),
    });
    expect(readFileSync(store.path, 'utf8')).toBe(newer);
    const answer = await settingsHandlers(store, { dataDir: dir, knownHostsPath: '/k' })[
      'settings.get'
    ]();
    expect(answer.readOnly).toContain('version 9');
  });

  it('starts from the defaults when the file is not JSON, and says so', async () => {
    const store = new SettingsStore(dir);
    writeFileSync(store.path, '{ not json');
    expect(await store.load()).toMatchObject({
      settings: DEFAULT_SETTINGS,
      dropped: ['the file (not JSON)'],
    });
  });

  it('is read and written through the contract, with the folders in use now', async () => {
    const emit = () => undefined;
    const service = createQuiesceService({ dataDir: dir, knownHostsPath: '/kh', emit });
    const dispatch = createDispatcher(service.handlers);
    const got = await dispatch('settings.get', {});
    expect(got).toEqual({
      ok: true,
      value: {
        settings: DEFAULT_SETTINGS,
        file: join(dir, 'settings.json'),
        inEffect: { dataDir: dir, knownHostsPath: '/kh' },
        dropped: [],
      },
    });
    const bad = await dispatch('settings.set', {
      ...DEFAULT_SETTINGS,
      snapshot: { policy: 'require', maxFreezeS: 0 },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const input = { ...DEFAULT_SETTINGS, knownHostsPath: '/etc/ssh/known', version: undefined };
    const set = await dispatch('settings.set', input);
    expect(set).toMatchObject({
      ok: true,
      value: { settings: { knownHostsPath: '/etc/ssh/known' } },
    });
    expect(contract['settings.set'].input.safeParse({ ...input, dataDir: '~/q' }).success).toBe(
      false,
    );
    service.dispose();
  });

  it('gives a domain with nothing remembered the settings’ default policy and maximum freeze', async () => {
    const service = createQuiesceService({ dataDir: dir, knownHostsPath: '/kh', emit: () => {} });
    const dispatch = createDispatcher(service.handlers);
    const hostId = '0b9d6c1e-2f4a-4c8e-9a1b-3d5e7f901234';
    const domain = { hostId, uuid: '6b0f2b36-9f2e-4b7e-8a53-2c5f0d6f1a11' };
    expect(await dispatch('snapshot.defaults', domain)).toEqual({
      ok: true,
      value: { policy: 'require', maxFreezeS: 10, remembered: false, testRestore: false },
    });
    await dispatch('settings.set', {
      ...DEFAULT_SETTINGS,
      snapshot: { policy: 'allow-crash-consistent', maxFreezeS: 45 },
    });
    expect(await dispatch('snapshot.defaults', domain)).toEqual({
      ok: true,
      value: {
        policy: 'allow-crash-consistent',
        maxFreezeS: 45,
        remembered: false,
        testRestore: false,
      },
    });
    // What the admin remembered for one domain still wins over the settings.
    await new DomainDefaults(dir, async () => DEFAULT_SETTINGS.snapshot).set(hostId, domain.uuid, {
      policy: 'require',
      maxFreezeS: 7,
    });
    expect(await dispatch('snapshot.defaults', domain)).toMatchObject({
      value: { maxFreezeS: 7, remembered: true },
    });
    service.dispose();
  });
});

describe('where Quiesce keeps its things, with settings', () => {
  const settings = { dataDir: '/srv/quiesce', knownHostsPath: '/etc/ssh/ssh_known_hosts' };
  it('takes the folders from the settings unless the environment says otherwise', () => {
    expect(defaultKnownHostsPath({}, settings)).toBe('/etc/ssh/ssh_known_hosts');
    expect(defaultKnownHostsPath({ QUIESCE_KNOWN_HOSTS: '/t/kh' }, settings)).toBe('/t/kh');
    expect(defaultKnownHostsPath({}, { dataDir: null, knownHostsPath: null })).toBe(
      join(homedir(), '.ssh', 'known_hosts'),
    );
    expect(defaultDataDir({}, settings, '/cfg')).toBe('/srv/quiesce');
    expect(defaultDataDir({ QUIESCE_DATA_DIR: '/t/d' }, settings, '/cfg')).toBe('/t/d');
    expect(defaultDataDir({}, { dataDir: null, knownHostsPath: null }, '/cfg')).toBe('/cfg');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x' })).toBe('/x/Quiesce');
  });

  it('gives every shell the folders the settings file in the config folder names', async () => {
    const cfg = mkdtempSync(join(tmpdir(), 'quiesce-cfg-'));
    try {
      const store = new SettingsStore(cfg);
      await store.save({
        ...DEFAULT_SETTINGS,
        dataDir: '/srv/quiesce',
        knownHostsPath: '/etc/ssh/ssh_known_hosts',
      });
      expect(await resolveAppPaths({ XDG_CONFIG_HOME: '/unused' }, cfg)).toMatchObject({
        configDir: cfg,
        dataDir: '/srv/quiesce',
        knownHostsPath: '/etc/ssh/ssh_known_hosts',
      });
      // A damaged settings file: the defaults, not a failed start.
      writeFileSync(store.path, '{');
      expect(await resolveAppPaths({}, cfg)).toMatchObject({ configDir: cfg, dataDir: cfg });
    } finally {
      rmSync(cfg, { recursive: true, force: true });
    }
  });
});
