/** The About box's words: the version the admin reports, and what it runs on. */
export function aboutText(
  version: string,
  versions: Partial<Record<'electron' | 'chrome' | 'node', string>>,
): { title: string; message: string; detail: string } {
  const runtime = [
    versions.electron && `Electron ${versions.electron}`,
    versions.chrome && `Chromium ${versions.chrome}`,
    versions.node && `Node.js ${versions.node}`,
  ].filter(Boolean);
  return {
    title: 'About Quiesce',
    message: `Quiesce ${version}`,
    detail: [
      'Consistent (quiesced) snapshots of libvirt guests, taken on the host over SSH.',
      runtime.join(' · '),
    ]
      .filter(Boolean)
      .join('\n\n'),
  };
}
