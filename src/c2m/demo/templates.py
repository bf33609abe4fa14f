"""The demo catalog: three products that show the range of co-design, as plain data.

Prices are in euro cents, lengths in the unit each option names, durations in minutes per
``quantity`` pieces. Every rule binds for some choices (the tests show which).
"""

from __future__ import annotations

from c2m.engines.configurator.model import (
    BomItem,
    BooleanOption,
    ChoiceOption,
    Colour,
    ColourOption,
    DeclaredMaterial,
    Dimension,
    LeadTimeRule,
    NumberOption,
    OperationTemplate,
    Picture,
    PriceRule,
    QuantityBreak,
    Template,
    TextOption,
    constraint,
    excludes,
    requires,
)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: ISO 2768-1 permissible deviations (mm) for linear sizes up to 6, 30, 120 and 400 mm, by class.
ISO_2768 = {
    "fine": (0.05, 0.1, 0.15, 0.2),
    "medium": (0.1, 0.2, 0.3, 0.5),
    "coarse": (0.3, 0.5, 0.8, 1.2),
}


def iso_2768(size: str) -> str:
    """The general tolerance of a linear ``size`` (a formula) in the plate's tolerance class."""
    by_class = {
        name: f"({a} if {size} <= 6 else {b} if {size} <= 30 else {c} if {size} <= 120 else {d})"
        for name, (a, b, c, d) in ISO_2768.items()
    }
    return (
        f'{by_class["fine"]} if tolerance == "fine" else '
        f'{by_class["coarse"]} if tolerance == "coarse" else {by_class["medium"]}'
    )


ENGRAVING = LETTERS + LETTERS.lower() + "0123456789 -&."

REFRIGERATOR = Template(
    key="refrigerator",
    name="Customizable refrigerator",
    version=1,
    description="A fridge built to your kitchen: size, doors, panels, colour, an engraved name.",
    options=(
        NumberOption("capacity", 200, 600, 50, unit="l", default=300, label="Capacity"),
        NumberOption("width", 55, 90, 5, unit="cm", default=60, label="Width"),
        NumberOption("doors", 1, 4, 1, default=1, label="Doors"),
        ChoiceOption("panel", ("painted", "steel", "glass"), label="Panel material"),
        ColourOption(
            "colour",
            (
                Colour("white", "#f5f5f2"),
                Colour("black", "#1d1d1f"),
                Colour("silver", "#c0c4c8"),
                Colour("red", "#c8102e"),
                Colour("sage", "#9caf88"),
            ),
            label="Panel colour",
        ),
        BooleanOption("ice_maker", label="Ice maker"),
        TextOption("engraving", 20, ENGRAVING, label="Engraved name"),
    ),
    rules=(
        constraint(
            "doors-need-width",
            "width >= 45 + 10 * doors",
            "Each door needs 10 cm of width on a 45 cm body",
        ),
        constraint(
            "capacity-fits-width",
            "capacity <= 7 * width - 100",
            "The capacity must fit the width: at most 7 litres per cm of width, minus 100",
        ),
        requires(
            "ice-maker-needs-freezer-door",
            "ice_maker",
            "doors >= 2",
            "An ice maker sits in the freezer door: choose at least two doors",
        ),
        requires(
            "glass-colours",
            'panel == "glass"',
            'colour in ("white", "black", "silver")',
            "Glass panels come in white, black or silver",
        ),
        requires(
            "steel-colours",
            'panel == "steel"',
            'colour in ("black", "silver")',
            "Steel panels come brushed silver or black",
        ),
        excludes(
            "no-engraving-on-glass",
            'panel == "glass"',
            "len(engraving) > 0",
            "Glass panels cannot be engraved",
        ),
        constraint(
            "engraving-fits-width",
            "len(engraving) <= width / 4",
            "The engraving must fit the door: one character per 4 cm of width",
        ),
    ),
    prices=(
        PriceRule("base", "Refrigerator body", "49900"),
        PriceRule("capacity", "Capacity above 200 l", "(capacity - 200) * 150"),
        PriceRule("doors", "Extra doors", "(doors - 1) * 12000", when="doors > 1"),
        PriceRule("steel", "Steel panels", "8000", when='panel == "steel"'),
        PriceRule("glass", "Glass panels", "15000", when='panel == "glass"'),
        PriceRule("ice-maker", "Ice maker", "9900", when="ice_maker"),
        PriceRule(
            "engraving",
            "Engraved name",
            "1500 + 200 * len(engraving)",
            when="len(engraving) > 0",
        ),
    ),
    quantity_breaks=(QuantityBreak(5, 5), QuantityBreak(20, 10)),
    lead_times=(
        LeadTimeRule("base", "Build to order", "10"),
        LeadTimeRule("glass", "Glass panels are cut to size", "4", when='panel == "glass"'),
        LeadTimeRule("engraving", "Engraving", "2", when="len(engraving) > 0"),
        LeadTimeRule("ice-maker", "Ice maker fitting", "1", when="ice_maker"),
    ),
    # The door panels are engraved while the cabinet is foamed; assembly waits for both.
    routing=(
        OperationTemplate("cut", "Cut panels", "sheet-cut", "(20 + 5 * doors) * quantity"),
        OperationTemplate(
            "foam", "Foam the cabinet", "foam-inject", "(30 + capacity / 20) * quantity"
        ),
        OperationTemplate(
            "engrave",
            "Engrave the name",
            "cnc-mill",
            "(10 + 2 * len(engraving)) * quantity",
            when="len(engraving) > 0",
            after=("cut",),
        ),
        OperationTemplate(
            "ice-maker",
            "Fit the ice maker",
            "assemble",
            "25 * quantity",
            when="ice_maker",
            after=("foam",),
        ),
        OperationTemplate(
            "assemble",
            "Assemble",
            "assemble",
            "(60 + 15 * doors) * quantity",
            after=("foam", "engrave", "ice-maker"),
        ),
        OperationTemplate("inspect", "Inspect", "inspect", "20 * quantity"),
        OperationTemplate("pack", "Pack", "pack", "15 * quantity"),
    ),
    # The cabinet is about 65 cm deep; its height (cm) follows from capacity and width:
    # H = capacity * 1000 / ((width - 10) * 55) + 15. Steel covers the sides, top and bottom,
    # back and (unless they are glass) the doors.
    bom=(
        BomItem(
            "steel",
            "sheet-steel-0.8",
            "Sheet steel 0.8 mm",
            "(2 * (capacity * 1000 / ((width - 10) * 55) + 15) * 65 + 2 * width * 65"
            ' + (1 if panel == "glass" else 2) * width * (capacity * 1000 / ((width - 10) * 55)'
            " + 15)) / 10000 * quantity",
            "m²",
            step="cut",
        ),
        BomItem(
            "glass",
            "door-glass-4",
            "Tempered glass 4 mm",
            "width * (capacity * 1000 / ((width - 10) * 55) + 15) / 10000 * quantity",
            "m²",
            step="assemble",
            when='panel == "glass"',
        ),
        BomItem("foam", "pu-foam", "Polyurethane foam", "capacity / 40 * quantity", "kg", "foam"),
        BomItem(
            "compressor", "compressor-r600a", "Compressor (R600a)", "quantity", "pcs", "assemble"
        ),
        BomItem("hinges", "door-hinge", "Door hinge", "2 * doors * quantity", "pcs", "assemble"),
        BomItem(
            "ice-maker",
            "ice-maker-kit",
            "Ice maker kit",
            "quantity",
            "pcs",
            "ice-maker",
            when="ice_maker",
        ),
        BomItem("carton", "carton-fridge", "Fridge carton", "quantity", "pcs", "pack"),
    ),
    inspection=(
        Dimension("width", "Width", "width * 10", "2", "mm"),
        Dimension("door-gap", "Door gap", "3", "0.5", "mm"),
        Dimension("door-spacing", "Gap between doors", "4", "0.5", "mm", when="doors > 1"),
    ),
    materials=(
        DeclaredMaterial("Steel (cabinet and doors)", 0.55, 0.3, "DE", when='panel != "glass"'),
        DeclaredMaterial("Steel (cabinet)", 0.45, 0.3, "DE", when='panel == "glass"'),
        DeclaredMaterial("Glass (door panels)", 0.1, 0.0, "CZ", when='panel == "glass"'),
        DeclaredMaterial("Polyurethane insulation foam", 0.15, 0.0, "BE"),
        DeclaredMaterial("Copper and aluminium (cooling circuit)", 0.12, 0.4, "PL"),
        DeclaredMaterial("Plastics (liners and shelves)", 0.18, 0.1, "IT"),
    ),
    picture=Picture(
        "cabinet",
        "refrigerator",
        (
            ("width", "width"),
            ("volume", "capacity"),
            ("doors", "doors"),
            ("colour", "colour"),
            ("finish", "panel"),
            ("inset", "ice_maker"),
            ("text", "engraving"),
        ),
    ),
)

SHIRT = Template(
    key="shirt",
    name="Made-to-measure shirt",
    version=1,
    description="A shirt cut to your measurements, with your fit, collar, fabric and monogram.",
    options=(
        # Ranges cover the ANSUR II survey's 6,068 adults (docs/benchmarks.md, aggregation).
        NumberOption("chest", 680, 1480, 10, unit="mm", default=1000, label="Chest"),
        NumberOption("waist", 600, 1400, 10, unit="mm", default=900, label="Waist"),
        NumberOption("sleeve", 400, 760, 5, unit="mm", default=600, label="Sleeve length"),
        NumberOption("neck", 270, 520, 5, unit="mm", default=380, label="Neck"),
        NumberOption("shoulder", 280, 500, 5, unit="mm", default=400, label="Shoulder width"),
        ChoiceOption("fit", ("regular", "slim", "relaxed"), label="Fit"),
        ChoiceOption("collar", ("kent", "button-down", "cutaway", "mandarin"), label="Collar"),
        ChoiceOption("fabric", ("poplin", "oxford", "linen", "flannel"), label="Fabric"),
        TextOption("monogram", 3, LETTERS, label="Monogram"),
    ),
    rules=(
        constraint(
            "slim-waist",
            'waist <= chest - (100 if fit == "slim" else 0)',
            "The waist cannot exceed the chest, and a slim fit needs it 100 mm below",
        ),
        constraint(
            "neck-closes",
            "neck >= chest / 4 + 80",
            "The collar must close: the neck needs at least a quarter of the chest plus 80 mm",
        ),
        requires(
            "button-down-fabrics",
            'collar == "button-down"',
            'fabric in ("oxford", "poplin")',
            "Button-down collars are made in oxford or poplin",
        ),
        excludes(
            "linen-not-slim",
            'fabric == "linen"',
            'fit == "slim"',
            "Linen does not stretch: it has no slim fit",
        ),
        constraint(
            "monogram-letters",
            "len(monogram) != 1",
            "A monogram has two or three letters",
        ),
    ),
    prices=(
        PriceRule("base", "Made-to-measure shirt", "5900"),
        PriceRule("oxford", "Oxford cloth", "1000", when='fabric == "oxford"'),
        PriceRule("linen", "Linen", "2500", when='fabric == "linen"'),
        PriceRule("flannel", "Flannel", "1500", when='fabric == "flannel"'),
        PriceRule(
            "large", "Extra fabric above 1200 mm chest", "(chest - 1200) * 5", when="chest > 1200"
        ),
        PriceRule("monogram", "Monogram", "900", when="len(monogram) > 0"),
    ),
    quantity_breaks=(QuantityBreak(3, 10),),
    lead_times=(
        LeadTimeRule("base", "Cut and sewn to order", "7"),
        LeadTimeRule("linen", "Linen is pre-washed", "3", when='fabric == "linen"'),
        LeadTimeRule("monogram", "Embroidery", "1", when="len(monogram) > 0"),
    ),
    routing=(
        OperationTemplate("cut", "Cut the fabric", "sheet-cut", "(12 + chest / 200) * quantity"),
        OperationTemplate(
            "sew",
            "Sew",
            "sew",
            '(45 + (10 if collar == "button-down" else 0)) * quantity',
        ),
        OperationTemplate(
            "monogram",
            "Embroider the monogram",
            "sew",
            "(5 + 3 * len(monogram)) * quantity",
            when="len(monogram) > 0",
        ),
        OperationTemplate("inspect", "Inspect", "inspect", "5 * quantity"),
        OperationTemplate("pack", "Fold and pack", "pack", "3 * quantity"),
    ),
    # Fabric comes in 150 cm rolls: a body length, two sleeves across and the chest's overlap.
    bom=(
        BomItem(
            "poplin",
            "fabric-poplin",
            "Poplin fabric, 150 cm wide",
            "(800 + sleeve + chest / 2) / 1000 * quantity",
            "m",
            "cut",
            when='fabric == "poplin"',
        ),
        BomItem(
            "oxford",
            "fabric-oxford",
            "Oxford fabric, 150 cm wide",
            "(800 + sleeve + chest / 2) / 1000 * quantity",
            "m",
            "cut",
            when='fabric == "oxford"',
        ),
        BomItem(
            "linen",
            "fabric-linen",
            "Linen fabric, 150 cm wide",
            "(800 + sleeve + chest / 2) / 1000 * quantity",
            "m",
            "cut",
            when='fabric == "linen"',
        ),
        BomItem(
            "flannel",
            "fabric-flannel",
            "Flannel fabric, 150 cm wide",
            "(800 + sleeve + chest / 2) / 1000 * quantity",
            "m",
            "cut",
            when='fabric == "flannel"',
        ),
        BomItem("buttons", "corozo-button", "Corozo button", "11 * quantity", "pcs", "sew"),
        BomItem("box", "shirt-box", "Shirt box", "quantity", "pcs", "pack"),
    ),
    # Finished garment measurements in cm: the body's plus the fit's ease.
    inspection=(
        Dimension(
            "chest",
            "Chest",
            '(chest + (60 if fit == "slim" else 160 if fit == "relaxed" else 100)) / 10',
            "1",
            "cm",
        ),
        Dimension("sleeve", "Sleeve length", "sleeve / 10", "0.5", "cm"),
        Dimension("collar", "Collar", "neck / 10 + 1", "0.5", "cm"),
        Dimension("shoulder", "Shoulder width", "shoulder / 10", "0.5", "cm"),
    ),
    materials=(
        DeclaredMaterial("Cotton", 0.96, 0.0, "EG", when='fabric != "linen"'),
        DeclaredMaterial("Linen (flax)", 0.96, 0.0, "FR", when='fabric == "linen"'),
        DeclaredMaterial("Corozo nut buttons", 0.03, 0.0, "EC"),
        DeclaredMaterial("Polyester thread", 0.01, 0.5, "PT"),
    ),
    picture=Picture(
        "garment",
        "shirt",
        (
            ("fit", "fit"),
            ("collar", "collar"),
            ("fabric", "fabric"),
            ("text", "monogram"),
        ),
    ),
)

MOUNTING_PLATE = Template(
    key="mounting-plate",
    name="Parametric mounting plate",
    version=1,
    description="A machined plate: size, thickness, holes, material, finish and tolerance class.",
    options=(
        NumberOption("length", 40, 400, 5, unit="mm", default=120, label="Length"),
        NumberOption("width", 30, 300, 5, unit="mm", default=80, label="Width"),
        NumberOption("thickness", 1.5, 12, 0.5, unit="mm", default=5, label="Thickness"),
        NumberOption("hole_count", 0, 12, 1, default=4, label="Holes"),
        NumberOption("hole_diameter", 3, 13, 1, unit="mm", default=6, label="Hole diameter"),
        ChoiceOption("material", ("aluminium", "steel", "stainless", "pom"), label="Material"),
        ChoiceOption("finish", ("raw", "brushed", "anodized", "powder-coat"), label="Finish"),
        ChoiceOption("tolerance", ("medium", "coarse", "fine"), label="Tolerance class (ISO 2768)"),
    ),
    rules=(
        constraint(
            "holes-in-pairs",
            "hole_count % 2 == 0",
            "Holes come in pairs, one row along each long edge",
        ),
        constraint(
            "holes-fit-length",
            "3 * hole_diameter * (hole_count // 2) <= length",
            "Each hole of a row needs three diameters of length",
        ),
        constraint(
            "edge-distance",
            "hole_count == 0 or width >= 4 * hole_diameter",
            "The plate must be at least four hole diameters wide",
        ),
        constraint(
            "hole-not-thinner-than-plate",
            "hole_count == 0 or hole_diameter >= thickness",
            "A drilled hole cannot be narrower than the plate is thick",
        ),
        requires(
            "anodize-aluminium",
            'finish == "anodized"',
            'material == "aluminium"',
            "Only aluminium can be anodized",
        ),
        excludes(
            "pom-no-coating",
            'material == "pom"',
            'finish in ("anodized", "powder-coat")',
            "POM plastic takes no coating",
        ),
        requires(
            "fine-needs-stiffness",
            'tolerance == "fine"',
            "thickness >= 3",
            "Thin plates warp: the fine tolerance class needs at least 3 mm",
        ),
    ),
    prices=(
        PriceRule("setup", "Machining set-up", "1500"),
        PriceRule(
            "material",
            "Material",
            "length * width * thickness / 1000 * "
            '(8 if material == "aluminium" else 6 if material == "steel" '
            'else 14 if material == "stainless" else 5)',
        ),
        PriceRule("holes", "Holes", "60 * hole_count", when="hole_count > 0"),
        PriceRule("brushed", "Brushed finish", "500", when='finish == "brushed"'),
        PriceRule("anodized", "Anodizing", "900", when='finish == "anodized"'),
        PriceRule("powder-coat", "Powder coating", "1200", when='finish == "powder-coat"'),
        PriceRule("fine", "Fine tolerance", "1200", when='tolerance == "fine"'),
        PriceRule("coarse", "Coarse tolerance", "-300", when='tolerance == "coarse"'),
    ),
    quantity_breaks=(QuantityBreak(10, 10), QuantityBreak(50, 20), QuantityBreak(200, 30)),
    lead_times=(
        LeadTimeRule("base", "Machined to order", "3"),
        LeadTimeRule("fine", "Measured on the CMM", "2", when='tolerance == "fine"'),
        LeadTimeRule(
            "coating",
            "Surface treatment",
            "3",
            when='finish in ("anodized", "powder-coat")',
        ),
    ),
    routing=(
        OperationTemplate(
            "cut", "Cut the blank", "sheet-cut", "(5 + (length + width) / 100) * quantity"
        ),
        OperationTemplate(
            "mill",
            "Mill contour and holes",
            "cnc-mill",
            '(8 + 1.5 * hole_count + (6 if tolerance == "fine" else 0)) * quantity',
            artifact="mounting-plate-stl",
        ),
        OperationTemplate(
            "inspect", "Inspect", "inspect", '(10 if tolerance == "fine" else 2) + 2 * quantity'
        ),
        OperationTemplate("pack", "Pack", "pack", "2 + quantity"),
    ),
    # The blank is cut from plate stock with a fifth more than the part for the saw and clamps;
    # grams from mm³ and the density in g/cm³.
    bom=(
        BomItem(
            "aluminium",
            "plate-aluminium",
            "Aluminium EN AW-6082 plate",
            "length * width * thickness * 2.70 * 1.2 / 1000 * quantity",
            "g",
            "cut",
            when='material == "aluminium"',
        ),
        BomItem(
            "steel",
            "plate-steel",
            "Steel S235 plate",
            "length * width * thickness * 7.85 * 1.2 / 1000 * quantity",
            "g",
            "cut",
            when='material == "steel"',
        ),
        BomItem(
            "stainless",
            "plate-stainless",
            "Stainless steel 1.4301 plate",
            "length * width * thickness * 8.00 * 1.2 / 1000 * quantity",
            "g",
            "cut",
            when='material == "stainless"',
        ),
        BomItem(
            "pom",
            "plate-pom",
            "POM (acetal) sheet",
            "length * width * thickness * 1.41 * 1.2 / 1000 * quantity",
            "g",
            "cut",
            when='material == "pom"',
        ),
    ),
    # Holes sit in two rows along the long edges (engines/geometry/plate.py): their pitch along
    # a row and the distance between the rows place them.
    inspection=(
        Dimension("length", "Length", "length", iso_2768("length"), "mm"),
        Dimension("width", "Width", "width", iso_2768("width"), "mm"),
        Dimension("thickness", "Thickness", "thickness", iso_2768("thickness"), "mm"),
        Dimension(
            "hole-diameter",
            "Hole diameter",
            "hole_diameter",
            iso_2768("hole_diameter"),
            "mm",
            when="hole_count > 0",
        ),
        Dimension(
            "hole-pitch",
            "Hole pitch",
            "length / (hole_count // 2)",
            iso_2768("length / (hole_count // 2)"),
            "mm",
            when="hole_count >= 4",
        ),
        Dimension(
            "hole-rows",
            "Distance between hole rows",
            "width - 3 * hole_diameter",
            iso_2768("(width - 3 * hole_diameter)"),
            "mm",
            when="hole_count > 0",
        ),
    ),
    materials=(
        DeclaredMaterial("Aluminium EN AW-6082", 1.0, 0.35, "NO", when='material == "aluminium"'),
        DeclaredMaterial("Steel S235", 1.0, 0.6, "DE", when='material == "steel"'),
        DeclaredMaterial("Stainless steel 1.4301", 1.0, 0.5, "FI", when='material == "stainless"'),
        DeclaredMaterial("POM (acetal)", 1.0, 0.0, "DE", when='material == "pom"'),
    ),
    picture=Picture(
        "plate",
        "mounting plate",
        (
            ("length", "length"),
            ("width", "width"),
            ("material", "material"),
            ("holes", "hole_count"),
            ("hole_diameter", "hole_diameter"),
        ),
    ),
)

DEMO_TEMPLATES: tuple[Template, ...] = (REFRIGERATOR, SHIRT, MOUNTING_PLATE)
