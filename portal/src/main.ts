// The portal's entry: a hash router over the pages (search, catalogue, dataset, federation).
import { renderCatalogue, renderDataset, renderHealth } from "./catalogue";
import { readState, renderSearch } from "./search";
import "./style.css";

async function route(): Promise<void> {
  const main = document.getElementById("main")!;
  const hash = location.hash.replace(/^#/, "") || "/search";
  const [path, query = ""] = hash.split("?", 2);
  const params = new URLSearchParams(query);
  const page = path.split("/")[1] ?? "search";
  document.querySelectorAll<HTMLAnchorElement>("nav a").forEach((a) => {
    if (a.dataset.nav === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (page === "catalogue") await renderCatalogue(main, params);
  else if (page === "dataset") await renderDataset(main, decodeURIComponent(path.split("/")[2] ?? ""));
  else if (page === "health") await renderHealth(main);
  else await renderSearch(main, readState(params));
  document.body.dataset.ready = "true";
}

window.addEventListener("hashchange", () => {
  document.body.dataset.ready = "false";
  void route();
});
void route();
