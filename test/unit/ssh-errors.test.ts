import { describe, expect, it } from 'vitest';
import { explainConnectError } from '../../electron/services/ssh/ssh-errors';

const errno = (code: string, message = `connect ${code} 192.0.2.10:22`) =>
  Object.assign(new Error(message), { code });
const where = 'admin@192.0.2.10:22';

describe('a failed SSH connect, in the admin’s terms', () => {
  it.each([
    ['ECONNREFUSED', /was refused/, /sshd runs/],
    ['ENOTFOUND', /could not be resolved/, /IP address/],
    ['EAI_AGAIN', /could not be resolved/, /IP address/],
    ['EHOSTUNREACH', /could not be reached/, /firewall/],
    ['ENETUNREACH', /could not be reached/, /firewall/],
    ['ETIMEDOUT', /could not be reached/, /firewall/],
  ])('%s: what happened, the system’s words, what to do', (code, message, remedy) => {
    const e = explainConnectError(errno(code), where);
    expect(e.code).toBe('connect-failed');
    expect(e.message).toMatch(message);
    expect(e.message).toContain('192.0.2.10');
    expect(e.details.cause).toBe(`connect ${code} 192.0.2.10:22`);
    expect(e.details.remedy).toMatch(remedy);
  });

  it('tells a refused login apart, by ssh2’s level or its message', () => {
    for (const err of [
      Object.assign(new Error('All configured authentication methods failed'), {
        level: 'client-authentication',
      }),
      new Error('All configured authentication methods failed'),
    ]) {
      const e = explainConnectError(err, where);
      expect(e.code).toBe('auth-failed');
      expect(e.message).toBe(`The host ${where} refused the login.`);
      expect(e.details.remedy).toMatch(/authorized_keys/);
    }
  });

  it('tells a port that does not speak SSH in time', () => {
    const e = explainConnectError(new Error('Timed out while waiting for handshake'), where);
    expect(e.message).toMatch(/handshake in time/);
    expect(e.details.remedy).toMatch(/SSH server/);
  });

  it('still says what to check for anything else, even a thrown string', () => {
    for (const err of [new Error('something else'), 'a string', undefined]) {
      const e = explainConnectError(err, where);
      expect(e.code).toBe('connect-failed');
      expect(e.message).toBe(`Could not connect to ${where}.`);
      expect(e.details.remedy).toMatch(/address, port and user/);
    }
  });
});
