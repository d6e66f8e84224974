import { createHash } from 'node:crypto';
import { TOKEN_HEADER } from './token-auth';

/**
 * The only page served without the token. The token arrives in the URL fragment (never sent to
 * servers, never logged); this page presents it once to `POST /session`, whose answer sets the
 * HttpOnly cookie, then reloads without it. The script never touches document.cookie.
 */
const LOADER_SCRIPT = `(function(){var msg=document.getElementById('msg');
function fail(){msg.textContent='This address has no valid token. Open the exact URL that "npm run web" printed (it changes at every launch).';}
var m=/[#&]token=([A-Za-z0-9_-]+)/.exec(location.hash);
if(!m){fail();return;}
fetch('/session',{method:'POST',headers:{'${TOKEN_HEADER}':m[1]},credentials:'same-origin',cache:'no-store'})
.then(function(r){if(r.ok)location.replace('/');else fail();},fail);})();`;

const LOADER_HASH = createHash('sha256').update(LOADER_SCRIPT).digest('base64');

/** Only this script may run, and it may talk only to its own origin. */
export const LOADER_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${LOADER_HASH}'`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const LOADER_HTML = `<!doctype html><meta charset="utf-8"><title>Quiesce</title><p id="msg">Opening Quiesce…</p><script>${LOADER_SCRIPT}</script>`;
