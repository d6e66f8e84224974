/** `quiesce-20261201-061500`: the name the app's snapshot dialog proposes, at this local time. */
export function defaultSnapshotName(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}`;
  const time = `${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
  return `quiesce-${date}-${time}`;
}
