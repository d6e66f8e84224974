import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The global sheet first: every feature's sheet (imported beside its components) comes after it.
import './styles.css';
import { App } from './app/app';
import { chooseTransport } from './transport/choose-transport';
import { applyTheme, readThemeChoice } from './theme/theme';

// Before the first paint, so a dark system never sees a light flash.
try {
  applyTheme(readThemeChoice(window.localStorage));
} catch {
  applyTheme('system');
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App transport={chooseTransport()} />
  </StrictMode>,
);
