/**
 * Inventory with readiness at scale (docs/ARCHITECTURE.md, "Measures that matter"): the 200-domain test-driver
 * host through the lab's sshd, refreshed through the app's own `domains.list`, against the naive
 * way of asking virsh once per domain over the same kind of SSH connection.
 */
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LabProfile } from '../test/lab/lab.js';
import type { ChannelOpen, ChannelSpy } from './channel-spy.js';
import { connectLabHost } from '../test/support/lab-session.js';
import type { ClientWatch } from './lab-clients.js';
import type { Services } from './services.js';
import { BenchError, connectToLab, fmtMs, fmtSamples, median, timed, type Log } from './util.js';

export interface InventoryResult {
  domains: number;
  /** Channels one refresh of the 200-domain host opened (the most seen in any refresh). */
  roundTripsPerRefresh: number;
  refreshMs: number;
  refreshSamples: number[];
  /** The same count for the small real host, to show it does not grow with domains. */
  smallHost: { uri: string; domains: number; roundTripsPerRefresh: number };
  naiveRefreshMs: number;
  naiveSamples: number[];
  naiveChannelsPerRun: number;
  speedup: number;
  notes: string[];
}

export interface InventoryBenchOptions {
  refreshes: number;
  naiveRuns: number;
  /**
   * A first naive run slower than this is the only one (the whole bench has ~3 min): a median
   * of three, or one run said so.
   */
  naiveSlowMs: number;
}

const VIRSH_STATES = new Set([
  'running',
  'idle',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
]);

export async function benchInventory(
  svc: Services,
  profile: LabProfile,
  spy: ChannelSpy,
  watch: ClientWatch,
  log: Log,
  opts: InventoryBenchOptions,
): Promise<InventoryResult> {
  const notes: string[] = [];
  const h = svc.serviceHarness({ knownHosts: readFileSync(profile.knownHostsPath, 'utf8') });
  // The event follower each connection keeps open is a standing stream started at connect,
  // not part of a refresh; it would only show up here if it restarted during one.
  const followers = new Set([
    svc.followEventsCommand(profile.testDriverUri),
    svc.followEventsCommand(profile.libvirtUri),
  ]);
  const refreshChannels = (opened: ChannelOpen[]) => {
    const restarts = opened.filter((c) => followers.has(c.command)).length;
    if (restarts > 0) notes.push(`event follower restarted during a refresh (${restarts}x)`);
    return opened.filter((c) => !followers.has(c.command));
  };
  const connect = (name: string, libvirtUri: string) =>
    connectLabHost(h, profile, { name, libvirtUri });
  try {
    // Both hosts connected first: from here on the bench has one follower of the real host
    // open (the small host's), which watch.sample() takes into account.
    const big = await connect('bench-test-driver', profile.testDriverUri);
    const small = await connect('bench-lab-qemu', profile.libvirtUri);

    // ---- the app's refresh of the 200-domain host ----
    const refresh = (hostId: string) => timed(() => h.call('domains.list', { hostId }));
    log(`inventory: warm-up refresh of ${profile.testDriverUri}`);
    const warm = await refresh(big);
    if (warm.value.domains.length !== profile.testDriverDomains)
      throw new BenchError(
        `the test-driver host lists ${warm.value.domains.length} domains, expected ${profile.testDriverDomains}`,
      );
    const samples: number[] = [];
    const counts: number[] = [];
    spy.take();
    for (let i = 0; i < opts.refreshes; i++) {
      watch.sample(1);
      const r = await refresh(big);
      const opened = refreshChannels(spy.take());
      samples.push(r.ms);
      counts.push(opened.length);
      if (opened.length !== 1)
        notes.push(
          `refresh ${i + 1} opened ${opened.length} channels: ${opened.map((c) => c.command.slice(0, 40)).join(' | ')}`,
        );
    }
    const refreshMs = median(samples);
    log(`inventory: ${opts.refreshes} refreshes, ms: ${fmtSamples(samples)}; channels: ${counts}`);

    // ---- the same count on the small real host ----
    await refresh(small);
    spy.take();
    const smallCounts: number[] = [];
    let smallDomains = 0;
    for (let i = 0; i < 2; i++) {
      const r = await refresh(small);
      smallDomains = r.value.domains.length;
      smallCounts.push(refreshChannels(spy.take()).length);
    }
    log(`inventory: ${profile.libvirtUri} (${smallDomains} domains) channels: ${smallCounts}`);

    // ---- the naive way: one virsh per domain, each its own exec, one after the other ----
    const conn = await connectToLab(svc.connectSsh, profile);
    const uuids = warm.value.domains.map((d) => d.uuid);
    const naiveSamples: number[] = [];
    let naiveChannels = 0;
    try {
      for (let run = 0; run < opts.naiveRuns; run++) {
        log(`naive: run ${run + 1}: virsh domstate for each of ${uuids.length} domains`);
        watch.sample(1);
        spy.take();
        const r = await timed(async () => {
          for (const uuid of uuids) {
            const cmd = svc.shellCommand(['virsh', '-c', profile.testDriverUri, 'domstate', uuid]);
            const res = await conn.exec(cmd, { timeoutMs: 30_000 });
            if (res.code !== 0 || !VIRSH_STATES.has(res.stdout.trim()))
              throw new BenchError(
                `naive baseline: ${cmd} answered exit ${res.code}: ${(res.stderr || res.stdout).trim()}`,
              );
          }
        });
        naiveChannels = spy.take().length;
        watch.sample(1);
        naiveSamples.push(r.ms);
        log(`naive: run ${run + 1}: ${fmtMs(r.ms)} (${naiveChannels} channels)`);
        if (run === 0 && r.ms > opts.naiveSlowMs && opts.naiveRuns > 1) {
          notes.push(
            `naive baseline: 1 run only, not ${opts.naiveRuns}: it took ${fmtMs(r.ms)} (over ${fmtMs(opts.naiveSlowMs)})`,
          );
          break;
        }
      }
    } finally {
      conn.close();
    }
    const naiveRefreshMs = median(naiveSamples);
    notes.push(
      `refresh: ${profile.testDriverDomains} domains, ms per run: ${fmtSamples(samples)} (median of ${samples.length}, after 1 warm-up)`,
      `naive: ${uuids.length} x \`virsh -c URI domstate <uuid>\`, one exec each, in a row, over one ssh2 connection; ms per run: ${fmtSamples(naiveSamples)}. It reads only the state: a naive readiness check would cost more`,
    );
    return {
      domains: warm.value.domains.length,
      roundTripsPerRefresh: Math.max(...counts),
      refreshMs,
      refreshSamples: samples,
      smallHost: {
        uri: profile.libvirtUri,
        domains: smallDomains,
        roundTripsPerRefresh: Math.max(...smallCounts),
      },
      naiveRefreshMs,
      naiveSamples,
      naiveChannelsPerRun: naiveChannels,
      speedup: naiveRefreshMs / refreshMs,
      notes,
    };
  } finally {
    h.dispose();
    rmSync(h.dir, { recursive: true, force: true });
  }
}

// `npx tsx bench/inventory-bench.ts [--naive-runs N]`: this measure alone, as JSON on stdout (the
// lab must be up). The naive baseline (one exec per domain) takes about half a minute a run.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { readLabProfile } = await import('../test/lab/lab.js');
  const { log } = await import('./util.js');
  const { loadServices } = await import('./services.js');
  const { spyOnChannels } = await import('./channel-spy.js');
  const { watchLabClients } = await import('./lab-clients.js');
  const at = process.argv.indexOf('--naive-runs');
  const naiveRuns = at > 0 ? Number(process.argv[at + 1]) : 1;
  const profile = readLabProfile();
  const svc = await loadServices();
  const result = await benchInventory(
    svc,
    profile,
    spyOnChannels(svc.Client),
    watchLabClients(profile.libvirtUri),
    log,
    { refreshes: 7, naiveRuns, naiveSlowMs: 40_000 },
  );
  process.stdout.write(JSON.stringify({ inventory: result }) + '\n');
  process.exit(0);
}
