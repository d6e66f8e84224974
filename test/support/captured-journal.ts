import { readFileSync } from 'node:fs';
import { parseJournal } from '../../electron/services/snapshot/journal';
import type { OperationEvent } from '../../shared/snapshot';

/** The journals the real runner wrote on the lab. */
export type CapturedJournal =
  'agenthung' | 'clean' | 'crashok' | 'cutfails' | 'refused' | 'runnerkilled' | 'test-freeze';

/** A journal the real runner wrote on the lab (test/fixtures/journal/), read into events. */
export const capturedJournal = (name: CapturedJournal): OperationEvent[] =>
  parseJournal(readFileSync(`test/fixtures/journal/${name}.jsonl`, 'utf8'));
