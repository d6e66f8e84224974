import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { chooseTransport } from './transport/choose-transport';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App transport={chooseTransport()} />
  </StrictMode>,
);
