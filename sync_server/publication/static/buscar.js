// Search by sección or CLAVE_CASILLA over indice.json; without it, the list below.
(function () {
  "use strict";
  var form = document.getElementById("buscar");
  var out = document.getElementById("resultados");
  var index = null;
  var names = JSON.parse(form.getAttribute("data-elecciones") || "{}");
  form.hidden = false;
  function show(items) {
    out.textContent = "";
    var p = document.createElement("p");
    p.textContent = items.length ? items.length + " resultado(s)" : "Sin resultados";
    out.appendChild(p);
    var ul = document.createElement("ul");
    items.slice(0, 200).forEach(function (it) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = it.href;
      a.textContent = it.text;
      li.appendChild(a);
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }
  function search(q) {
    q = q.trim().toUpperCase().replace(/'/g, "");
    if (!q) { show([]); return; }
    var items = [];
    index.forEach(function (s) {
      // [seccion, eleccion, pagina, [CLAVE_CASILLA...]]
      if (String(s[0]) === q.replace(/^0+/, "")) {
        items.push({href: s[2], text: "Sección " + s[0] + " · " + (names[s[1]] || s[1])});
      }
      s[3].forEach(function (c) {
        if (c === q) { items.push({href: "casillas/" + c + ".html", text: "Casilla " + c}); }
      });
    });
    var seen = {};
    show(items.filter(function (it) { return seen[it.href] ? false : (seen[it.href] = true); }));
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("q").value;
    if (index) { search(q); return; }
    fetch("indice.json").then(function (r) { return r.json(); }).then(function (d) {
      index = d;
      search(q);
    });
  });
})();
