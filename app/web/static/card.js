// The iframe card tells the page that embeds it how tall it is, so the frame can fit it (trainwatch.js listens).
const post = () => {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  window.parent.postMessage({ type: "trainwatch:height", height }, "*");
};
new ResizeObserver(post).observe(document.documentElement);
post();
