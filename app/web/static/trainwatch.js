// <trainwatch-answer>: an exact, sourced answer to "is my content used to train AI on this platform?".
// One ES module, no framework, no build step. It needs no inline script or eval, so it runs under a strict CSP:
// its styles are a constructed style sheet, its text is set with textContent.
const MODULE_ORIGIN = new URL(import.meta.url).origin;
const LANGS = ["en", "de"];
// The words shown when even the catalog could not be loaded; a test checks they equal the catalogs' entries.
const OFFLINE = {
  en: { "error.network": "Trainwatch could not be reached. Try again later.", "error.retry": "Try again" },
  de: { "error.network": "Trainwatch ist nicht erreichbar. Bitte später erneut versuchen.",
    "error.retry": "Erneut versuchen" },
};
const ICONS = { used: "●", not_used: "○", conditional: "◐", unknown: "?" };
const PARAMS = [
  ["category", "category"], ["country", "country"], ["as-of", "as_of"], ["age", "age"], ["objected", "objected"],
  ["objected-on", "objected_on"], ["posted-on", "posted_on"], ["opted-in", "opted_in"],
];

const sheets = new Map(); // api base -> Promise<CSSStyleSheet | null>
const catalogs = new Map(); // api base + lang -> Promise<messages>
const answers = new Map(); // request URL -> {etag, status, body}: what this page has seen, for If-None-Match
const inflight = new Map(); // request URL -> Promise, so equal elements share one request

function once(map, key, make) {
  if (!map.has(key)) map.set(key, make().catch((error) => { map.delete(key); throw error; }));
  return map.get(key);
}

function styleSheet(api) {
  return once(sheets, api, async () => {
    const response = await fetch(`${api}/embed/v1/trainwatch.css`);
    if (!response.ok) throw new Error(`styles: ${response.status}`);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await response.text());
    return sheet;
  });
}

function messages(api, lang) {
  return once(catalogs, `${api}|${lang}`, async () => {
    const response = await fetch(`${api}/embed/v1/i18n/${lang}.json`);
    if (!response.ok) throw new Error(`messages: ${response.status}`);
    return response.json();
  });
}

// Ask like any HTTP client: send the ETag of the copy we hold, and reuse that copy on 304.
async function decision(url) {
  const held = answers.get(url);
  const headers = held && held.etag ? { "If-None-Match": held.etag } : {};
  const response = await fetch(url, { headers, cache: "no-store" });
  if (response.status === 304 && held) return held;
  const body = await response.json();
  const fresh = { etag: response.headers.get("ETag"), status: response.status, body };
  if (response.ok) answers.set(url, fresh);
  return fresh;
}

function words(catalog) {
  return (key, params = {}) => (catalog[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

function day(iso, lang) {
  return new Intl.DateTimeFormat(lang, { dateStyle: "long", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

function place(code, lang, t) {
  if (!code || code === "GLOBAL") return t("place.worldwide");
  try {
    return new Intl.DisplayNames([lang], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function deadlineText(opt, asOf, t, lang) {
  const left = Math.round((Date.parse(opt.deadline) - Date.parse(asOf)) / 86400000);
  if (left < 0) return t("optout.deadline_passed", { date: day(opt.deadline, lang) });
  if (left === 0) return t("optout.last_day");
  return left === 1 ? t("optout.one_day_left") : t("optout.days_left", { days: left });
}

function latest(sources) {
  return sources.map((s) => s.retrieved_on).sort().at(-1);
}

// The same markup as the card's template (app/web/templates/_answer.html).
function renderDecision(doc, d, t, lang, explorerUrl) {
  const meta = [t("meta.about", { place: place(doc.country, lang, t), date: day(doc.as_of, lang) })];
  if (d.reviewed_on) meta.push(t("meta.reviewed", { date: day(d.reviewed_on, lang) }));
  else if (d.sources.length) meta.push(t("meta.checked", { date: day(latest(d.sources), lang) }));
  const opt = d.opt_out;
  return h("article", { class: `tw-answer tw-${d.verdict}`, part: "card", "data-verdict": d.verdict },
    h("h2", { class: "tw-head", part: "platform" }, h("span", { class: "tw-platform", text: doc.platform.name }), " ",
      h("span", { class: "tw-category", text: t(`category.${d.category}`) })),
    h("p", { class: "tw-verdict", part: "verdict" }, h("span", { class: "tw-icon", "aria-hidden": "true",
      text: ICONS[d.verdict] }), " ", h("strong", { text: t(`verdict.${d.verdict}`) })),
    h("p", { class: "tw-summary", part: "summary", text: d.summary }),
    d.depends_on.length ? h("p", { class: "tw-depends", part: "depends",
      text: `${t("depends.title")}: ${d.depends_on.map((name) => t(`depends.${name}`)).join(", ")}.` }) : null,
    opt && (opt.url || opt.deadline) && d.verdict !== "not_used" ? h("p", { class: "tw-cta", part: "cta" },
      opt.url ? h("a", { class: "tw-button", href: opt.url, target: "_blank", rel: "noopener", text: t("optout.cta") })
        : h("span", { text: t("optout.deadline", { date: day(opt.deadline, lang) }) }),
      opt.deadline ? h("span", { class: "tw-deadline", text: deadlineText(opt, doc.as_of, t, lang) }) : null) : null,
    d.sources.length ? h("details", { class: "tw-sources", part: "sources" },
      h("summary", { text: t("sources.title", { count: d.sources.length }) }),
      h("ul", {}, d.sources.map((s) => h("li", {}, h("a", { href: s.url, target: "_blank", rel: "noopener",
        text: s.title }), " ", h("span", { class: "tw-publisher",
        text: s.published_on ? `${s.publisher}, ${s.published_on}` : s.publisher }))))) : null,
    h("p", { class: "tw-meta", part: "meta" }, meta.join(" · "), d.stale ? [" · ", h("strong",
      { text: t("meta.stale") })] : null, " · ",
      h("a", { part: "link", href: explorerUrl, target: "_blank", rel: "noopener", text: t("link.explorer") })));
}

class TrainwatchAnswer extends HTMLElement {
  static observedAttributes = ["platform", "api", "lang", "theme", ...PARAMS.map(([attribute]) => attribute)];

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.root = h("div", { class: "tw-root", "aria-live": "polite" });
    this.shadowRoot.append(this.root);
    this.pending = false;
    this.generation = 0;
  }

  connectedCallback() { this.schedule(); }

  attributeChangedCallback() { if (this.isConnected) this.schedule(); }

  // Several attributes set in a row give one request.
  schedule() {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => { this.pending = false; this.update(); });
  }

  get api() { return (this.getAttribute("api") || MODULE_ORIGIN).replace(/\/+$/, ""); }

  get lang() {
    const asked = (this.getAttribute("lang") || this.closest("[lang]")?.getAttribute("lang") || navigator.language
      || "en").slice(0, 2).toLowerCase();
    return LANGS.includes(asked) ? asked : "en";
  }

  get theme() {
    const theme = this.getAttribute("theme");
    return ["light", "dark", "auto"].includes(theme) ? theme : "auto";
  }

  url() {
    const query = new URLSearchParams();
    for (const [attribute, param] of PARAMS) {
      const value = this.getAttribute(attribute);
      if (value !== null && value !== "") query.set(param, value);
    }
    query.set("lang", this.lang);
    const platform = encodeURIComponent(this.getAttribute("platform") || "");
    return `${this.api}/v1/platforms/${platform}/ai-training?${query}`;
  }

  show(state, ...children) {
    this.root.className = `tw-root tw-theme-${this.theme}`;
    this.root.setAttribute("aria-busy", state === "loading" ? "true" : "false");
    this.root.replaceChildren(...children);
  }

  async update() {
    const generation = ++this.generation;
    const { api, lang } = this;
    const current = () => generation === this.generation;
    styleSheet(api).then((sheet) => { this.shadowRoot.adoptedStyleSheets = [sheet]; }).catch(() => {});
    let t;
    try {
      t = words(await messages(api, lang));
    } catch {
      if (current()) this.fail(OFFLINE[lang]["error.network"], words(OFFLINE[lang]));
      return;
    }
    if (!current()) return;
    this.show("loading", h("article", { class: "tw-answer tw-loading", part: "card" },
      h("p", { class: "tw-verdict", part: "verdict" }, h("span", { class: "tw-icon", "aria-hidden": "true",
        text: "…" }), " ", h("span", { text: t("state.loading") }))));
    const url = this.url();
    let result;
    try {
      result = await once(inflight, url, () => decision(url)).finally(() => inflight.delete(url));
    } catch {
      if (current()) this.fail(t("error.network"), t);
      return;
    }
    if (!current()) return;
    const doc = result.body;
    if (result.status === 404) return this.fail(t("error.platform", { platform: this.getAttribute("platform") }), t);
    if (result.status !== 200) return this.fail(t("error.request", { param: doc.param || "?" }), t);
    const link = new URLSearchParams({ country: doc.country || "GLOBAL", as_of: doc.as_of, lang });
    const explorerUrl = `${api}/platforms/${encodeURIComponent(doc.platform.id)}?${link}`;
    this.show("done", ...doc.decisions.map((d) => renderDecision(doc, d, t, lang, explorerUrl)));
    this.dispatchEvent(new CustomEvent("trainwatch-answer", { detail: doc, bubbles: true, composed: true }));
  }

  fail(message, t) {
    const retry = h("button", { type: "button", class: "tw-retry", part: "retry", text: t("error.retry") });
    retry.addEventListener("click", () => this.update());
    this.show("error", h("article", { class: "tw-answer tw-error", part: "card error", role: "alert" },
      h("p", { class: "tw-verdict", part: "verdict" }, h("span", { class: "tw-icon", "aria-hidden": "true",
        text: "!" }), " ", h("strong", { text: message })), retry));
  }
}

if (!customElements.get("trainwatch-answer")) customElements.define("trainwatch-answer", TrainwatchAnswer);

// Fit each <iframe data-trainwatch> card to the height it reports, accepting messages only from that frame.
window.addEventListener("message", (event) => {
  const data = event.data;
  if (!data || data.type !== "trainwatch:height" || typeof data.height !== "number") return;
  for (const frame of document.querySelectorAll("iframe[data-trainwatch]")) {
    if (frame.contentWindow === event.source && new URL(frame.src, location.href).origin === event.origin) {
      frame.height = String(Math.min(Math.max(Math.ceil(data.height), 40), 4000));
    }
  }
});

// A card that loaded before this script reported its height to nobody: ask each frame to report again. The request
// carries nothing, so any origin may receive it ("*": naming the card's origin would log an error for a frame still
// on about:blank); a frame still loading ignores it and reports by itself once its card has loaded.
for (const frame of document.querySelectorAll("iframe[data-trainwatch]")) {
  frame.contentWindow?.postMessage({ type: "trainwatch:measure" }, "*");
}
