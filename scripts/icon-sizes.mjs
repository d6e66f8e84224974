// The icon sizes the packages carry (scripts/icons.mjs renders them; the builder config test
// checks them): the hicolor theme's usual sizes for Linux, and one large image macOS and
// Windows icons are made from.
export const ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
export const MAIN_ICON_SIZE = 1024;
