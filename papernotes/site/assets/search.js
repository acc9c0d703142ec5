// The search box: Pagefind's own UI, its bundle and results found from this page's place
// in the site, so the site works at any address (a domain's root, a project path, a folder).
window.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("search");
  if (!box || typeof PagefindUI === "undefined") return;
  const root = new URL(document.documentElement.dataset.root || "./", window.location.href);
  new PagefindUI({
    element: box,
    baseUrl: root.pathname,
    bundlePath: new URL("pagefind/", root).pathname,
    showImages: false,
    showSubResults: false,
    resetStyles: false,
    translations: { placeholder: "Search the notes" },
  });
});
