import captureLib from './capture-lib.sh?raw';

/**
 * A gathering script as it is fed to `sh -s`: the shared capture functions (capture-lib.sh)
 * followed by the script's own body, so each script is one exec and one place defines `cap`.
 */
export function gatherScript(body: string): string {
  return `${captureLib}\n${body}`;
}
