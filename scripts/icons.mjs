// Renders every icon size the packages need from the one source, assets/icon.svg, with resvg
// compiled to WebAssembly (no native module, no download): `npm run icons`.
//   assets/icon.png            1024 px: macOS (electron-builder makes the .icns) and Windows
//                              (it makes the .ico; at least 256 px is required)
//   assets/icons/NxN.png       the sizes Linux desktops pick from (AppImage, deb hicolor theme)
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { ICON_SIZES, MAIN_ICON_SIZE } from './icon-sizes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** PNG bytes of `svg` rendered `size` pixels wide and high. */
export async function renderIcon(svg, size) {
  await ready();
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

let initialized;
function ready() {
  initialized ??= readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')).then(initWasm);
  return initialized;
}

export async function writeIcons(outDir = join(root, 'assets')) {
  const svg = await readFile(join(root, 'assets', 'icon.svg'), 'utf8');
  await mkdir(join(outDir, 'icons'), { recursive: true });
  await writeFile(join(outDir, 'icon.png'), await renderIcon(svg, MAIN_ICON_SIZE));
  for (const size of ICON_SIZES) {
    await writeFile(join(outDir, 'icons', `${size}x${size}.png`), await renderIcon(svg, size));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeIcons();
  console.error(`wrote assets/icon.png and assets/icons/{${ICON_SIZES.join(',')}}`);
}
