import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { HostProfileSchema, type HostProfile } from '../../shared/hosts';
import { draftFromHost, emptyDraft, validateDraft } from '../../renderer/hosts/host-draft';
import {
  LegacyAlgorithmsBadge,
  LegacyAlgorithmsField,
} from '../../renderer/hosts/legacy-algorithms';

const profile = (extra: Partial<HostProfile> = {}): HostProfile =>
  HostProfileSchema.parse({
    id: '6f1c2b6e-9a4d-4a7e-8b1f-0c2d3e4f5a6b',
    name: 'old-box',
    address: '192.0.2.5',
    port: 22,
    user: 'admin',
    auth: { kind: 'agent' },
    ...extra,
  });

describe('the legacy-algorithms switch of a host profile', () => {
  it('is off for a profile saved before it existed, and for a new host', () => {
    expect(profile().allowLegacyAlgorithms).toBeUndefined();
    expect(draftFromHost(profile()).allowLegacyAlgorithms).toBe(false);
    expect(emptyDraft().allowLegacyAlgorithms).toBe(false);
  });

  it('survives the form both ways: on is sent, off is left out (saving replaces the profile)', () => {
    const on = validateDraft(draftFromHost(profile({ allowLegacyAlgorithms: true })));
    expect('input' in on && on.input.allowLegacyAlgorithms).toBe(true);
    const off = validateDraft({
      ...draftFromHost(profile({ allowLegacyAlgorithms: true })),
      allowLegacyAlgorithms: false,
    });
    expect('input' in off && 'allowLegacyAlgorithms' in off.input).toBe(false);
  });

  it('shows the risk next to the switch when on, and marks the host wherever it is listed', () => {
    const field = (checked: boolean) =>
      renderToStaticMarkup(
        createElement(LegacyAlgorithmsField, { id: 'f', checked, onChange: () => undefined }),
      );
    expect(field(true)).toContain('Allow legacy SSH algorithms');
    expect(field(true)).toContain('notice-warning');
    expect(field(true)).toMatch(/man in the middle/);
    expect(field(false)).not.toContain('notice-warning');
    const badge = (host: HostProfile) =>
      renderToStaticMarkup(createElement(LegacyAlgorithmsBadge, { host, testId: 'b' }));
    expect(badge(profile({ allowLegacyAlgorithms: true }))).toContain('legacy SSH');
    expect(badge(profile())).toBe('');
  });
});
