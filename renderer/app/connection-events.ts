import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { applyConnectionEvent } from '../hosts/use-connections';
import { useTransport } from './transport-context';

/**
 * Subscribes to main's event stream once for the whole app and folds each event into the query
 * cache, so every component reads connection state from one place.
 */
export function useConnectionEvents(): void {
  const transport = useTransport();
  const client = useQueryClient();
  // After the browser shell's socket comes back, events may have been missed: re-read everything.
  useEffect(
    () => transport.onReconnect(() => void client.invalidateQueries()),
    [transport, client],
  );
  useEffect(
    () =>
      transport.subscribe((event) => {
        if (event.type === 'connection') {
          applyConnectionEvent(client, event.hostId, {
            state: event.state,
            ...(event.error ? { error: event.error } : {}),
          });
        }
      }),
    [transport, client],
  );
}
