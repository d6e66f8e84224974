import { describe, expect, it } from 'vitest';
import { AppError, toAppErrorShape } from '../../electron/services/app-error';

describe('errors meant for the admin', () => {
  it('cross to the UI as message, cause and remedy', () => {
    const e = new AppError('host-command-failed', 'The guest could not be thawed.', {
      cause: 'error: Guest agent not available for now',
      remedy: 'Restart the agent in the guest.',
    });
    expect(e).toBeInstanceOf(Error);
    expect(toAppErrorShape(e)).toEqual({
      code: 'host-command-failed',
      message: 'The guest could not be thawed.',
      cause: 'error: Guest agent not available for now',
      remedy: 'Restart the agent in the guest.',
    });
    expect(new AppError('not-found', 'Gone.').toShape()).toEqual({
      code: 'not-found',
      message: 'Gone.',
    });
  });

  it('hide the internals of anything else behind a generic message', () => {
    const shape = toAppErrorShape(
      new TypeError("Cannot read properties of undefined (reading 'x')"),
    );
    expect(shape.code).toBe('internal');
    expect(shape.message).not.toMatch(/undefined/);
    expect(shape.cause).toMatch(/reading 'x'/);
    expect(shape.remedy).toBeTruthy();
    expect(shape).not.toHaveProperty('stack');
    expect(toAppErrorShape('a thrown string')).toMatchObject({
      code: 'internal',
      cause: 'a thrown string',
    });
  });
});
