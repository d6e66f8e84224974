import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ICON_SIZES, MAIN_ICON_SIZE } from '../../scripts/icon-sizes.mjs';
import { renderIcon } from '../../scripts/icons.mjs';
import { FakeWindow, fakeElectronState } from './fake-electron';

/**
 * The packages electron-builder makes (`npm run dist`), checked without the Electron binary:
 * the configuration against electron-builder's own schema and fuse code, the files it packs
 * (after `npm run build`), the icons, and the packed app started with `electron` faked.
 */
const root = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  main: string;
  version: string;
  build: Record<string, unknown> & {
    files: string[];
    electronFuses: Record<string, boolean>;
    linux: { target: { target: string; arch: string[] }[]; icon: string };
    deb: { depends: string[] };
    mac: { target: { target: string; arch: string[] }[]; icon: string };
    win: { target: { target: string; arch: string[] }[]; icon: string };
    directories: { buildResources: string };
  };
};
const build = pkg.build;

/** electron-builder's own check, as `electron-builder` runs it before packing anything. */
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, log: unknown) => Promise<void>;
};
const quietLog = { isEnabled: false, add: () => undefined };

describe('the electron-builder configuration', () => {
  it('passes electron-builder’s own validation (its scheme.json), which refuses a misspelt key', async () => {
    await expect(validateConfiguration(build, quietLog)).resolves.toBeUndefined();
    // The check is real: the same call refuses what packaging would refuse.
    await expect(
      validateConfiguration({ ...build, linux: { ...build.linux, tagret: 'deb' } }, quietLog),
    ).rejects.toThrow(/configuration\.linux/);
    await expect(
      validateConfiguration({ ...build, electronFuses: { runAsNod: false } }, quietLog),
    ).rejects.toThrow(/electronFuses/);
  });

  it('makes AppImage and deb for Linux x64 and arm64, a dmg for macOS and NSIS for Windows', () => {
    const targets = (list: { target: string; arch: string[] }[]) =>
      Object.fromEntries(list.map((t) => [t.target, [...t.arch].sort()]));
    expect(targets(build.linux.target)).toEqual({
      AppImage: ['arm64', 'x64'],
      deb: ['arm64', 'x64'],
    });
    expect(targets(build.mac.target)).toEqual({ dmg: ['arm64', 'x64'] });
    expect(Object.keys(targets(build.win.target))).toEqual(['nsis']);
  });

  it('declares the deb’s dependencies: Electron’s libraries and the keychain', () => {
    const depends = build.deb.depends.join(', ');
    for (const lib of [
      'libgtk-3-0',
      'libnss3',
      'libnotify4',
      'libxtst6',
      'libgbm1',
      'libasound2',
    ]) {
      expect(depends, lib).toContain(lib);
    }
    // safeStorage keeps secrets in the desktop keyring through libsecret.
    expect(depends).toContain('libsecret-1-0');
    // Debian 13 / Ubuntu 24.04 renamed these for the 64-bit time_t change; either satisfies.
    expect(build.deb.depends).toContain('libasound2 | libasound2t64');
  });

  it('has electron-builder flip every fuse the shell relies on', async () => {
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig: (f: unknown) => Promise<unknown> } };
    };
    const config = (await PlatformPackager.prototype.generateFuseConfig.call(
      {},
      build.electronFuses,
    )) as Record<string, unknown>;
    const { FuseV1Options } = (await import('@electron/fuses')) as unknown as {
      FuseV1Options: Record<string, number>;
    };
    expect(config).toMatchObject({
      [FuseV1Options.RunAsNode!]: false,
      [FuseV1Options.EnableCookieEncryption!]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable!]: false,
      [FuseV1Options.EnableNodeCliInspectArguments!]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation!]: true,
      [FuseV1Options.OnlyLoadAppFromAsar!]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges!]: false,
    });
    // Integrity validation and "only from ASAR" mean nothing without an ASAR.
    expect(build.asar).toBe(true);
  });

  it('rebuilds no native module, so packaging runs on Node 20', () => {
    // Rebuilding goes through @electron/rebuild and node-abi, which need Node ≥ 22.12. The app
    // needs no native module: ssh2's install script only tries to build an optional binding (its
    // lib/protocol/crypto.js falls back to JavaScript when it does not load), and its optional
    // cpu-features is never required to load.
    expect(build.npmRebuild).toBe(false);
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; optional?: boolean; hasInstallScript?: boolean }>;
    };
    const nativeAtRunTime = Object.entries(lock.packages)
      .filter(([path, p]) => path && !p.dev && !p.optional && p.hasInstallScript)
      .map(([path]) => path);
    expect(nativeAtRunTime).toEqual(['node_modules/ssh2']);
  });
});

describe('the icons', () => {
  const pngSize = (file: string) => {
    const png = readFileSync(file);
    expect(png.subarray(1, 4).toString('latin1'), file).toBe('PNG');
    return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  };

  it('are there in every size Linux picks from, and large enough for macOS and Windows', () => {
    const dir = join(root, build.linux.icon);
    const names = readdirSync(dir).sort();
    expect(names).toEqual(ICON_SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const size of ICON_SIZES) {
      expect(pngSize(join(dir, `${size}x${size}.png`))).toEqual({ width: size, height: size });
    }
    // electron-builder makes the .icns (≥ 512) and the .ico (≥ 256) from this one image.
    expect(build.mac.icon).toBe(build.win.icon);
    expect(pngSize(join(root, build.mac.icon))).toEqual({
      width: MAIN_ICON_SIZE,
      height: MAIN_ICON_SIZE,
    });
  });

  it('are rendered from assets/icon.svg as they are now (npm run icons after changing it)', async () => {
    const svg = readFileSync(join(root, 'assets', 'icon.svg'), 'utf8');
    for (const size of [16, 256]) {
      const rendered = Buffer.from(await renderIcon(svg, size));
      const committed = readFileSync(join(root, 'assets', 'icons', `${size}x${size}.png`));
      expect(rendered.equals(committed), `${size}x${size}.png`).toBe(true);
    }
  });
});

describe('the packed app (after npm run build)', () => {
  const distMissing = !existsSync(join(root, pkg.main));
  it('has the build to check', () => {
    // The unit tier runs after the build (test/run-all.ts); alone, run `npm run build` first.
    expect(distMissing, `${pkg.main} is missing: run "npm run build" first`).toBe(false);
  });

  /** What `files` packs: folders (`dir/**`) and single files are all it uses. */
  function packedFiles(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      const abs = join(root, rel);
      if (statSync(abs).isDirectory()) for (const n of readdirSync(abs)) walk(join(rel, n));
      else out.push(rel);
    };
    for (const pattern of build.files) {
      expect(pattern, 'a pattern this test understands').toMatch(/^[\w./-]+(\/\*\*)?$/);
      const base = pattern.replace(/\/\*\*$/, '');
      expect(existsSync(join(root, base)), `${pattern} matches nothing`).toBe(true);
      walk(base);
    }
    return out;
  }

  it('packs every file the app needs at run time', () => {
    const packed = new Set(packedFiles());
    expect(packed).toContain(pkg.main);
    // main.ts: the preload beside it, and the renderer folder beside its folder.
    const electronDir = dirname(pkg.main);
    expect(packed).toContain(join(electronDir, 'preload.cjs'));
    expect(packed).toContain(join(electronDir, '..', 'renderer', 'index.html'));
    const page = readFileSync(join(root, 'dist', 'renderer', 'index.html'), 'utf8');
    const refs = [...page.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(packed, ref).toContain(join('dist', 'renderer', ref));
    expect(packed).toContain('package.json');
  });

  describe('started as the package starts it', () => {
    const { state } = fakeElectronState();
    let appDir: string;
    let dataDir: string;
    let electronPath: string;
    beforeAll(async () => {
      if (distMissing) return;
      // The packed layout: only what `files` names, with the production modules beside it.
      appDir = mkdtempSync(join(tmpdir(), 'quiesce-packed-'));
      for (const file of packedFiles()) {
        mkdirSync(dirname(join(appDir, file)), { recursive: true });
        cpSync(join(root, file), join(appDir, file));
      }
      symlinkSync(join(root, 'node_modules'), join(appDir, 'node_modules'));
      dataDir = join(appDir, 'user-data');
      vi.stubEnv('QUIESCE_DATA_DIR', dataDir);
      vi.stubEnv('QUIESCE_KNOWN_HOSTS', join(appDir, 'known_hosts'));
      vi.stubEnv('QUIESCE_AUTOCONNECT', '');
      state.reset();
      state.isPackaged = true;
      state.lockGranted = true;
      // The built main.cjs requires `electron` with Node's own require: hand it the fake.
      electronPath = require.resolve('electron', { paths: [appDir] });
      const fake = new Module(electronPath);
      fake.filename = electronPath;
      fake.loaded = true;
      fake.exports = fakeElectronState().module;
      require.cache[electronPath] = fake;
      require(join(appDir, pkg.main));
      await vi.waitFor(() => expect(FakeWindow.all).toHaveLength(1));
    });
    afterAll(() => {
      if (distMissing) return;
      state.fireApp('before-quit');
      state.isPackaged = false;
      delete require.cache[electronPath];
      for (const key of Object.keys(require.cache)) {
        if (key.startsWith(appDir)) delete require.cache[key];
      }
      vi.unstubAllEnvs();
      rmSync(appDir, { recursive: true, force: true });
    });

    it('loads its page from app://quiesce, served from the packed renderer only', async () => {
      const win = FakeWindow.all[0]!;
      expect(win.loadedUrls).toEqual(['app://quiesce/index.html']);
      expect(win.options.webPreferences).toMatchObject({
        devTools: false,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        preload: join(appDir, 'dist', 'electron', 'preload.cjs'),
      });
      expect(existsSync(win.options.webPreferences.preload as string)).toBe(true);
      expect(state.privileged).toEqual([
        { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
      ]);
      const handle = state.protocolHandlers.get('app')!;
      const page = await handle({ url: 'app://quiesce/index.html', method: 'GET' });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Content-Security-Policy');
      const script = /src="\.\/([^"]+\.js)"/.exec(html)![1]!;
      const js = await handle({ url: `app://quiesce/${script}`, method: 'GET' });
      expect(js.status).toBe(200);
      expect(js.headers.get('content-type')).toContain('javascript');
      // Nothing outside the packed renderer is served, not even the app's own main.
      const main = await handle({ url: 'app://quiesce/../electron/main.cjs', method: 'GET' });
      expect(main.status).not.toBe(200);
    });
  });
});
