// Vite bundles imported stylesheets; this tells TypeScript that `import './styles.css'` in
// main.tsx is a real module (TS 6 checks side-effect imports).
declare module '*.css';
