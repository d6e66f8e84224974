export function electronBinary(opts?: { fetch?: boolean }): string | undefined;
