// Expand or collapse every branch of the taxonomy tree at once.
(function () {
  "use strict";
  const controls = document.querySelector("[data-tree-controls]");
  const tree = document.getElementById("taxonomy-tree");
  if (!controls || !tree) return;
  controls.hidden = false;
  controls.querySelectorAll("[data-tree-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      const open = button.dataset.treeToggle === "open";
      tree.querySelectorAll("details").forEach(function (details) { details.open = open; });
    });
  });
})();
