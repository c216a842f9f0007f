// The demo hub's frontend: plain JavaScript served from public/ by the gateway, no build step.
// Same origin as the API, so calls need no CORS and the local hub needs no credential.

/** POST a JSON body to an endpoint; resolves with the reply, throws the error envelope's message. */
async function call(actor, endpoint, input) {
  const res = await fetch(`/api/${actor}/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`${body.error?.code ?? res.status}: ${body.error?.message ?? res.statusText}`);
  return body;
}

function show(output, text, failed = false) {
  output.textContent = text;
  output.classList.toggle("error", failed);
}

const greeting = document.getElementById("greeting");
document.getElementById("hello").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = new FormData(e.target).get("name");
  try {
    const reply = await call("greeter", "hello", { name });
    show(greeting, `${reply.greeting} (visit ${reply.visits})`);
  } catch (error) {
    show(greeting, error.message, true);
  }
});

const shop = document.getElementById("shop");
const orderForm = document.getElementById("order");
const sku = () => new FormData(orderForm).get("sku");
document.getElementById("restock").addEventListener("click", async () => {
  try {
    const reply = await call("shop", "restock", { sku: sku(), qty: 10 });
    show(shop, `${reply.left} × ${reply.sku} in stock`);
  } catch (error) {
    show(shop, error.message, true);
  }
});
orderForm.addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const order = await call("shop", "order", { sku: sku(), qty: 1 });
    show(shop, `order ${order.id} placed`);
  } catch (error) {
    show(shop, error.message, true);
  }
});

// EventSource reconnects by itself and sends Last-Event-ID (the stream sequence), so the
// gateway resumes from the durable event stream: nothing is missed while disconnected.
const list = document.getElementById("events");
const status = document.getElementById("live-status");
const live = new EventSource("/events/order.placed");
live.addEventListener("open", () => (status.textContent = "live"));
live.addEventListener("error", () => (status.textContent = "reconnecting…"));
live.addEventListener("message", (m) => {
  const { seq, payload } = JSON.parse(m.data);
  const item = document.createElement("li");
  item.dataset.seq = String(seq);
  item.textContent = `order ${payload.id}: ${payload.qty} × ${payload.sku}`;
  list.prepend(item);
});
