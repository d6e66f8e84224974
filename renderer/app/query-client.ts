import { QueryClient } from '@tanstack/react-query';
import { RemoteError } from '../transport/transport';

/**
 * One query client for the app. Errors from main are already written for people and say what to
 * do, so retrying them would only delay the message; only unexpected failures get one retry.
 * Every domains.list is an SSH round trip to a production host, so nothing refetches on window
 * focus: the admin refreshes on purpose, and connection events refresh the rest.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof RemoteError) && failures < 1,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
      mutations: { retry: false },
    },
  });
}
