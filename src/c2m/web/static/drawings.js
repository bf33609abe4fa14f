// Product drawings, as the configurator shows them and the order page shows what was ordered:
// the template names the drawing and which option each of its inputs reads.
var c2mDrawing = (function () {
  "use strict";

  function inputs(picture, config, options) {
    var read = {};
    Object.keys(picture.options).forEach(function (input) {
      var name = picture.options[input];
      var option = options.find(function (o) { return o.name === name; });
      var value = config[name];
      if (option && option.kind === "colour") {
        var found = option.colours.find(function (c) { return c.name === value; });
        value = found ? found.hex : "#ddd";
      }
      read[input] = value;
    });
    return read;
  }

  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function cabinet(c, noun) {
    var w = c.width * 1.2, h = 60 + c.volume / 4, x = (120 - w) / 2, y = 200 - h;
    var fill = c.colour, doors = c.doors, parts = [];
    var stroke = c.finish === "glass" ? "#7fb2d9" : c.finish === "steel" ? "#6b7178" : "#444";
    parts.push('<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" rx="4" fill="' + fill +
      '" stroke="' + stroke + '" stroke-width="' + (c.finish === "glass" ? 3 : 1.5) + '"/>');
    var columns = doors > 2 ? 2 : 1, rows = doors > 1 ? 2 : 1;
    for (var i = 1; i < columns; i++) {
      parts.push('<line x1="' + (x + w / 2) + '" y1="' + (y + h * 0.4) + '" x2="' + (x + w / 2) + '" y2="' + (y + h) + '" stroke="' + stroke + '"/>');
    }
    if (rows > 1) parts.push('<line x1="' + x + '" y1="' + (y + h * 0.4) + '" x2="' + (x + w) + '" y2="' + (y + h * 0.4) + '" stroke="' + stroke + '"/>');
    if (doors === 4) parts.push('<line x1="' + (x + w / 2) + '" y1="' + y + '" x2="' + (x + w / 2) + '" y2="' + (y + h * 0.4) + '" stroke="' + stroke + '"/>');
    if (c.inset) parts.push('<rect x="' + (x + 6) + '" y="' + (y + 8) + '" width="14" height="18" rx="2" fill="#cfe8ff" stroke="' + stroke + '"/>');
    if (c.text) {
      parts.push('<text x="60" y="' + (y + h - 10) + '" font-size="9" text-anchor="middle" fill="#333">' + escape(c.text) + "</text>");
    }
    return '<svg viewBox="0 0 120 205" role="img" aria-label="Your ' + noun + '">' + parts.join("") + "</svg>";
  }

  function plate(c, noun) {
    var scale = 110 / 400, w = c.length * scale, h = c.width * scale, x = (120 - w) / 2, y = (90 - h) / 2;
    var metal = { aluminium: "#c9ced6", steel: "#8a9099", stainless: "#b7bcc4", pom: "#f1efe8" }[c.material] || "#ccc";
    var parts = ['<rect x="' + x + '" y="' + y + '" width="' + w + '" height="' + h + '" fill="' + metal + '" stroke="#555"/>'];
    var perRow = c.holes / 2, r = Math.max(1, c.hole_diameter * scale / 2);
    for (var i = 0; i < perRow; i++) {
      var cx = x + w * (i + 0.5) / perRow;
      parts.push('<circle cx="' + cx + '" cy="' + (y + h * 0.2) + '" r="' + r + '" fill="#fff" stroke="#555"/>');
      parts.push('<circle cx="' + cx + '" cy="' + (y + h * 0.8) + '" r="' + r + '" fill="#fff" stroke="#555"/>');
    }
    return '<svg viewBox="0 0 120 90" role="img" aria-label="Your ' + noun + '">' + parts.join("") + "</svg>";
  }

  function garment(c, noun) {
    var hem = { slim: 24, regular: 30, relaxed: 37 }[c.fit] || 30; // half the hem: the fit's taper
    var cloth = { poplin: "#f4f6fb", oxford: "#cfdff0", linen: "#ece3cf", flannel: "#c98f86" }[c.fabric] || "#eee";
    var parts = ['<path d="M50 18 L30 24 L6 92 L17 95 L32 46 L' + (60 - hem) + " 114 L" + (60 + hem) +
      ' 114 L88 46 L103 95 L114 92 L90 24 L70 18 Z" fill="' + cloth + '" stroke="#555" stroke-linejoin="round"/>',
      '<line x1="60" y1="22" x2="60" y2="114" stroke="#555"/>'];
    for (var y = 40; y < 114; y += 16) parts.push('<circle cx="62.5" cy="' + y + '" r="1.3" fill="#555"/>');
    var spread = { kent: [54, 32], "button-down": [53, 33], cutaway: [45, 27] }[c.collar];
    if (spread) {
      var left = spread[0], low = spread[1];
      parts.push('<path d="M50 16 L60 22 L' + left + " " + low + ' Z" fill="' + cloth + '" stroke="#555"/>');
      parts.push('<path d="M70 16 L60 22 L' + (120 - left) + " " + low + ' Z" fill="' + cloth + '" stroke="#555"/>');
      if (c.collar === "button-down") {
        parts.push('<circle cx="' + (left + 1) + '" cy="' + (low - 2) + '" r="1" fill="#555"/>');
        parts.push('<circle cx="' + (119 - left) + '" cy="' + (low - 2) + '" r="1" fill="#555"/>');
      }
    } else {
      parts.push('<rect x="50" y="14" width="20" height="7" rx="3" fill="' + cloth + '" stroke="#555"/>');
    }
    if (c.text) {
      parts.push('<text x="76" y="52" font-size="7" font-style="italic" text-anchor="middle" fill="#1d3c6e">' +
        escape(c.text) + "</text>");
    }
    return '<svg viewBox="0 0 120 120" role="img" aria-label="Your ' + escape(c.fit || "") + " " + noun + " with a " +
      escape(c.collar || "") + ' collar">' + parts.join("") + "</svg>";
  }

  var DRAWINGS = { cabinet: cabinet, plate: plate, garment: garment };

  // The drawing of ``config`` for a template ({picture, options}); "" when it has none.
  return function (definition, config) {
    var picture = definition.picture;
    var painter = picture && DRAWINGS[picture.kind];
    return painter ? painter(inputs(picture, config, definition.options), escape(picture.noun)) : "";
  };
})();

// The order page: each figure with a data-drawing gets its drawing.
document.querySelectorAll("figure[data-drawing]").forEach(function (figure) {
  "use strict";
  var drawing = JSON.parse(figure.dataset.drawing);
  figure.innerHTML = c2mDrawing(drawing, drawing.configuration);
});
