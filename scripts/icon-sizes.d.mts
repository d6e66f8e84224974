export declare const ICON_SIZES: number[];
export declare const MAIN_ICON_SIZE: number;
