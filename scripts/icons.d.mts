export declare function renderIcon(svg: string, size: number): Promise<Uint8Array>;
export declare function writeIcons(outDir?: string): Promise<void>;
