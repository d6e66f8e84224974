import { useRef, useState } from 'react';
import type { AppErrorShape } from '../../shared/errors';
import type { ConnectResult, HostKeyTrust } from '../../shared/hosts';
import { errorShape } from '../ui/error-shape';
import { useConnectHost } from './use-connections';

export type UnknownKey = Extract<ConnectResult, { status: 'host-key-unknown' }>;
export type KeyRefusal = Extract<
  ConnectResult,
  { status: 'host-key-changed' | 'host-key-revoked' }
>;

/** Where one connect attempt stands, as far as the admin must see or decide. */
export type ConnectStep =
  | { kind: 'idle' }
  | {
      kind: 'unknown-key';
      result: UnknownKey;
      /** Set when the admin accepted a fingerprint and the host then offered another one. */
      replaced?: string;
    }
  | { kind: 'refused'; result: KeyRefusal }
  | { kind: 'passphrase'; keyPath: string; wrong: boolean }
  | { kind: 'error'; error: AppErrorShape };

/**
 * The connect conversation with main: hosts.connect may answer with a question (whose host key
 * is this? what is the key's passphrase?) and the admin's answer goes into the next call.
 *
 * The passphrase lives in a ref for the length of one attempt only: it is needed again when the
 * host-key question comes after it, and is dropped as soon as the attempt ends either way.
 */
export function useConnectFlow(hostId: string) {
  const connect = useConnectHost();
  const [step, setStep] = useState<ConnectStep>({ kind: 'idle' });
  const passphrase = useRef<string | undefined>(undefined);
  const remember = useRef(false);
  /** Said after a connect that succeeded but could not do all it was asked (remember the passphrase). */
  const [notice, setNotice] = useState<string | undefined>(undefined);

  async function attempt(trust?: HostKeyTrust) {
    try {
      const result = await connect.mutateAsync({
        hostId,
        ...(passphrase.current === undefined ? {} : { passphrase: passphrase.current }),
        ...(trust ? { trust } : {}),
        ...(remember.current && passphrase.current !== undefined
          ? { rememberPassphrase: true }
          : {}),
      });
      switch (result.status) {
        case 'connected':
          passphrase.current = undefined;
          remember.current = false;
          setNotice(
            result.passphraseNotRemembered === undefined
              ? undefined
              : `Connected, but the passphrase was not remembered: ${result.passphraseNotRemembered}`,
          );
          setStep({ kind: 'idle' });
          break;
        case 'host-key-unknown':
          setStep({
            kind: 'unknown-key',
            result,
            ...(trust && trust.fingerprint !== result.hostKey.fingerprint
              ? { replaced: trust.fingerprint }
              : {}),
          });
          break;
        case 'host-key-changed':
        case 'host-key-revoked':
          passphrase.current = undefined;
          setStep({ kind: 'refused', result });
          break;
        case 'passphrase-required':
          // The one we sent (if any) was wrong; never send it again.
          passphrase.current = undefined;
          setStep({ kind: 'passphrase', keyPath: result.keyPath, wrong: result.wrong });
          break;
      }
    } catch (err) {
      passphrase.current = undefined;
      setStep({ kind: 'error', error: errorShape(err) });
    }
  }

  return {
    step,
    notice,
    busy: connect.isPending,
    /** A fresh attempt: forgets any earlier question and its answers. */
    start() {
      passphrase.current = undefined;
      setNotice(undefined);
      setStep({ kind: 'idle' });
      void attempt();
    },
    acceptKey(save: boolean) {
      if (step.kind !== 'unknown-key') return;
      void attempt({ fingerprint: step.result.hostKey.fingerprint, save });
    },
    /** `keep`: seal it in the OS keychain once it has worked, for the next connects. */
    givePassphrase(value: string, keep = false) {
      passphrase.current = value;
      remember.current = keep;
      void attempt();
    },
    cancel() {
      passphrase.current = undefined;
      setStep({ kind: 'idle' });
    },
  };
}
export type ConnectFlow = ReturnType<typeof useConnectFlow>;
