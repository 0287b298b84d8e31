// Reading aids for the self-contained HTML paper, as Quarto's HTML offers them:
// heading anchors, the table of contents marking where the reader is, and a
// preview of a citation's or cross-reference's target on hover or focus.
// Plain DOM code, no library, nothing fetched.
(function () {
  "use strict";
  var doc = document;

  // Anchors: every numbered heading gets a link to itself.
  doc.querySelectorAll("h1[id], h2[id], h3[id], h4[id], section[id] > h2, section[id] > h3, section[id] > h4")
    .forEach(function (h) {
      var id = h.id || (h.parentElement && h.parentElement.id);
      if (!id || h.querySelector("a.anchor")) return;
      var a = doc.createElement("a");
      a.className = "anchor";
      a.href = "#" + id;
      a.setAttribute("aria-label", "Link to this section");
      a.textContent = "#";
      h.appendChild(a);
    });

  // Scroll-spy: the contents entry of the section in view gets aria-current.
  var toc = doc.getElementById("TOC");
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    toc.querySelectorAll('a[href^="#"]').forEach(function (a) {
      links[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
    });
    var current = null;
    var mark = function (id) {
      var link = links[id];
      if (!link || link === current) return;
      if (current) current.removeAttribute("aria-current");
      link.setAttribute("aria-current", "location");
      current = link;
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) mark(e.target.id);
      });
    }, { rootMargin: "0px 0px -70% 0px" });
    Object.keys(links).forEach(function (id) {
      var target = doc.getElementById(id);
      if (target) observer.observe(target);
    });
  }

  // Previews: a citation shows its reference, a cross-reference its caption or heading.
  var tip = doc.createElement("div");
  tip.className = "tomas-preview";
  tip.setAttribute("role", "tooltip");
  tip.id = "tomas-preview";
  tip.hidden = true;
  doc.body.appendChild(tip);
  var previewText = function (id) {
    var target = doc.getElementById(id);
    if (!target) return "";
    var part = target.querySelector("figcaption, caption, h1, h2, h3, h4") || target;
    var text = (part.textContent || "").replace(/\s+/g, " ").replace(/#$/, "").trim();
    return text.length > 320 ? text.slice(0, 317) + "…" : text;
  };
  var show = function (ev) {
    var a = ev.currentTarget;
    var text = previewText(decodeURIComponent(a.getAttribute("href").slice(1)));
    if (!text) return;
    tip.textContent = text;
    tip.hidden = false;
    a.setAttribute("aria-describedby", tip.id);
    var box = a.getBoundingClientRect();
    var left = Math.min(window.scrollX + box.left, window.scrollX + doc.documentElement.clientWidth - 340);
    tip.style.left = Math.max(window.scrollX + 8, left) + "px";
    tip.style.top = window.scrollY + box.bottom + 6 + "px";
  };
  var hide = function (ev) {
    tip.hidden = true;
    ev.currentTarget.removeAttribute("aria-describedby");
  };
  doc.querySelectorAll('a[href^="#ref-"], a[href^="#fig-"], a[href^="#tbl-"], a[href^="#sec-"]')
    .forEach(function (a) {
      if (toc && toc.contains(a)) return;
      a.addEventListener("mouseenter", show);
      a.addEventListener("focus", show);
      a.addEventListener("mouseleave", hide);
      a.addEventListener("blur", hide);
    });
})();
