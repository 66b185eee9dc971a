// The iframe card tells the page that embeds it how tall it is, so the frame can fit it (trainwatch.js listens).
const post = () => {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  window.parent.postMessage({ type: "trainwatch:height", height }, "*");
};
// trainwatch.js may start after the card's first report (a slow script, a frame that loaded first): it then asks
// again, and only the embedding page may ask.
window.addEventListener("message", (event) => {
  if (event.source === window.parent && event.data && event.data.type === "trainwatch:measure") post();
});
new ResizeObserver(post).observe(document.documentElement);
post();
