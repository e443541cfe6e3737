// Search the digest with Pagefind. The page works without this script (the form just reloads);
// with it, results appear under the form. Result text is put in with textContent only: the
// excerpt's <mark> tags are rebuilt as elements, nothing from the index is parsed into the page.
const form = document.querySelector("form.search");
const input = form.querySelector("input[name=q]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
let pagefind = null;

function excerptNodes(excerpt) {
  const parsed = new DOMParser().parseFromString(excerpt, "text/html").body;
  return Array.from(parsed.childNodes, (node) => {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      return mark;
    }
    return document.createTextNode(node.textContent);
  });
}

// A large digest's index comes in parts (pagefind/shards.json lists the others): merged here, they
// search as one.
async function loadIndex(script) {
  const index = await import(script);
  const folder = new URL(".", new URL(script, location.href));
  const response = await fetch(new URL("shards.json", folder));
  const others = response.ok ? await response.json() : [];
  for (const other of others) {
    await index.mergeIndex(new URL(other, folder).pathname);
  }
  return index;
}

async function search(query) {
  query = query.trim();
  list.replaceChildren();
  if (!query) { status.textContent = ""; return; }
  status.textContent = "Searching…";
  try {
    pagefind ??= await loadIndex(form.dataset.pagefind);
  } catch {
    status.textContent = "There is no search index yet: this digest has no articles.";
    return;
  }
  const found = await pagefind.search(query);
  const results = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
  status.textContent = `${found.results.length} article${found.results.length === 1 ? "" : "s"} found for “${query}”.`;
  for (const result of results) {
    const item = document.createElement("li");
    item.className = "item";
    const heading = document.createElement("h2");
    heading.className = "item-title";
    const link = document.createElement("a");
    link.href = result.url;
    link.textContent = result.meta.title || result.url;
    heading.append(link);
    const text = document.createElement("p");
    text.className = "summary";
    text.append(...excerptNodes(result.excerpt));
    item.append(heading, text);
    list.append(item);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  search(input.value);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; search(initial); }
