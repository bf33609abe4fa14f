"""The demo catalog: three products that show the range of co-design, as plain data.

Prices are in euro cents, lengths in the unit each option names, durations in minutes per
``quantity`` pieces. Every rule binds for some choices (the tests show which).
"""

from __future__ import annotations

from c2m.engines.configurator.model import (
    BooleanOption,
    ChoiceOption,
    Colour,
    ColourOption,
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
        ),
        OperationTemplate(
            "ice-maker", "Fit the ice maker", "assemble", "25 * quantity", when="ice_maker"
        ),
        OperationTemplate("assemble", "Assemble", "assemble", "(60 + 15 * doors) * quantity"),
        OperationTemplate("inspect", "Inspect", "inspect", "20 * quantity"),
        OperationTemplate("pack", "Pack", "pack", "15 * quantity"),
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
