import { createContext, useContext, type ReactNode } from 'react';
import type { Transport } from './transport';

const TransportContext = createContext<Transport | null>(null);

/** Hands the one transport chosen at start to every hook below, so components never pick one. */
export function TransportProvider({
  transport,
  children,
}: {
  transport: Transport;
  children: ReactNode;
}) {
  return <TransportContext.Provider value={transport}>{children}</TransportContext.Provider>;
}

/** The transport of the nearest provider; a missing provider is a wiring bug, so it throws. */
export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error('useTransport() needs a <TransportProvider> above it');
  return transport;
}
