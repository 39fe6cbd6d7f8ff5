// Draw the plotly.js figures of the notes site: every <div class="fms-chart"> holds its
// figure as JSON in data-figure (built by fmstoolkit.notes_site.profile).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".fms-chart[data-figure]").forEach(function (el) {
    var figure = JSON.parse(el.dataset.figure);
    Plotly.newPlot(el, figure.data, figure.layout, figure.config);
  });
});
