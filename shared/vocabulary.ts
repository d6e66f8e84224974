/**
 * The app's fixed word lists, with no validation library behind them: the schemas in
 * snapshot.ts, readiness.ts and hosts.ts are built from these, and the renderer's first screen
 * reads them here so it does not have to load the validation library before it draws.
 */

/** A snapshot operation's phases, in the order the host runner goes through them. */
export const PHASES = [
  'lock',
  'preflight',
  'prepare',
  'arm',
  'freeze',
  'cut',
  'thaw',
  'disarm',
  'metadata',
  'verify',
] as const;

/**
 * The readiness ladder (docs/ARCHITECTURE.md, "Readiness ladder"), cheapest check first. The first
 * rung that fails is the domain's level; `ready` means a consistent snapshot can be taken right
 * now.
 */
export const READINESS_LEVELS = [
  'not-running', // domstate: anything but running or paused (no freeze needed)
  'paused', // domstate: paused (its disks are still: no freeze needed)
  'no-channel', // no org.qemu.guest_agent.0 channel in the live domain XML
  'agent-not-connected', // the channel's state is not `connected`: no agent in the guest
  'agent-not-responding', // guest-ping fails or times out
  'freeze-unsupported', // guest-info: guest-fsfreeze-freeze or -thaw disabled
  'frozen', // guest-fsfreeze-status: frozen now
  'ready',
] as const;

/** The host profile's switch for allowLegacyAlgorithms, as the form shows it and errors name it. */
export const ALLOW_LEGACY_ALGORITHMS_LABEL = 'Allow legacy SSH algorithms';
