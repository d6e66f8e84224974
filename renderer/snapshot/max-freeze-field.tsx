import type { ComponentProps } from 'react';
import { MaxFreezeSchema } from '../../shared/snapshot';
import { TextField } from '../ui/text-field';

/**
 * The maximum freeze in seconds, as the snapshot form and the settings' default ask for it: a
 * numeric field whose hint starts with the contract's bounds (MaxFreezeSchema), then `about`.
 */
export function MaxFreezeField({
  about,
  ...field
}: Omit<ComponentProps<typeof TextField>, 'hint' | 'inputMode' | 'unit'> & { about: string }) {
  return (
    <TextField
      {...field}
      hint={`${MaxFreezeSchema.minValue}–${MaxFreezeSchema.maxValue}. ${about}`}
      inputMode="numeric"
      unit="seconds"
    />
  );
}
