// Host scripts are shipped as text and fed to `sh -s` (see inventory.ts); the build inlines them.
declare module '*.sh?raw' {
  const text: string;
  export default text;
}
