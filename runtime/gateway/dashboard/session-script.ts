/**
 * The start of the dashboard's script (after the contract targets): the sign-in. It asks
 * `GET /auth/session` who is signed in; on a hub that asks for credentials and a browser that is
 * not signed in, it shows the sign-in form instead of the panels and sends nothing else. Once
 * signed in, every request of the page carries the session's CSRF token.
 */
export const SESSION_SCRIPT = String.raw`
const SESSION = { csrf: "", signedIn: false, required: false };
const nativeFetch = window.fetch.bind(window);
const sessionReady = nativeFetch(WIRE.session, { headers: { accept: "application/json" } })
  .then((r) => r.json())
  .then((s) => Object.assign(SESSION, s))
  .catch(() => SESSION);
window.fetch = async (input, init = {}) => {
  await sessionReady;
  if (SESSION.required && !SESSION.signedIn) throw new Error("sign in first");
  if (!SESSION.csrf) return nativeFetch(input, init);
  const headers = new Headers(init.headers || {});
  headers.set(WIRE.csrf, SESSION.csrf);
  return nativeFetch(input, { ...init, headers });
};
sessionReady.then(() => {
  const form = document.getElementById("signin");
  if (SESSION.required && !SESSION.signedIn) {
    document.querySelector("main").hidden = true;
    form.hidden = false;
    document.getElementById("signin-key").focus();
  } else if (SESSION.signedIn) {
    document.getElementById("who").textContent = SESSION.principal.id;
    document.getElementById("signout").hidden = false;
  }
});
document.getElementById("signin").onsubmit = async (ev) => {
  ev.preventDefault();
  const key = document.getElementById("signin-key").value;
  const res = await nativeFetch(WIRE.session, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }) });
  if (res.ok) return location.reload();
  const body = await res.json().catch(() => null);
  document.getElementById("signin-error").textContent = body && body.error ? body.error.message : "sign-in failed (" + res.status + ")";
};
document.getElementById("signout").onclick = async () => {
  await fetch(WIRE.session, { method: "DELETE" });
  location.reload();
};
`;

/** The sign-in form, shown instead of the panels when the hub asks for a key. */
export const SIGN_IN_FORM = `<form id="signin" class="panel" method="post" action="/auth/session" hidden><h2>Sign in</h2>
<p>This hub asks for a credential: an API key (<code>fuse keys create</code>) or a JWT. Or run <code>fuse dashboard</code> in the hub folder to open the dashboard signed in.</p>
<label>Key <input type="password" id="signin-key" name="key" autocomplete="off" required></label> <button type="submit">Sign in</button>
<p id="signin-error"></p></form>`;
