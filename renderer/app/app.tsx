import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import type { Transport } from '../transport/transport';
import { AppShell } from './app-shell';
import { createQueryClient } from './query-client';
import { TransportProvider } from '../transport/transport-context';

/** The root: one transport and one query cache for the whole window. */
export function App({ transport }: { transport: Transport }) {
  const [client] = useState(createQueryClient);
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={client}>
        <AppShell />
      </QueryClientProvider>
    </TransportProvider>
  );
}
