"""FIT devices by number: the makers and the products a FIT file's file_id or device_info
names, as a runner knows them ("Garmin Forerunner 245").

Only FIT files need these tables, so a GPX or TCX read does not load them.
"""

from __future__ import annotations

# FIT manufacturer numbers (the FIT SDK's `manufacturer` type) of devices and apps that record
# runs and rides; others are named by number.
MANUFACTURERS = {
    1: "Garmin",
    6: "SRM",
    13: "Dynastream",
    15: "Dynastream",
    16: "Timex",
    23: "Suunto",
    32: "Wahoo",
    37: "Magellan",
    40: "Concept2",
    41: "Shimano",
    45: "Xplova",
    69: "Stages",
    70: "Sigma",
    89: "Tacx",
    95: "Stryd",
    107: "Magene",
    115: "iGPSport",
    123: "Polar",
    255: "Development",
    258: "Lezyne",
    260: "Zwift",
    263: "Favero",
    265: "Strava",
    267: "Bryton",
    268: "SRAM",
    281: "TrainerRoad",
    289: "Hammerhead",
    294: "COROS",
    300: "NURVV",
    305: "WHOOP",
    310: "Decathlon",
    326: "Nike",
}
# Garmin, and Dynastream and Tacx (Garmin's own), whose products have Garmin's numbers (the
# SDK's `garmin_product` type).
GARMIN_FAMILY = frozenset({1, 13, 15, 89})

# Garmin product numbers of common watches, bike computers and straps (the SDK's
# `garmin_product`); a number not here is shown as "Garmin (product 3113)".
GARMIN_PRODUCTS = {
    1: "HRM1",
    717: "Forerunner 405",
    782: "Forerunner 50",
    988: "Forerunner 60",
    1018: "Forerunner 310XT",
    1036: "Edge 500",
    1124: "Forerunner 110",
    1169: "Edge 800",
    1325: "Edge 200",
    1328: "Forerunner 910XT",
    1345: "Forerunner 610",
    1436: "Forerunner 70",
    1482: "Forerunner 10",
    1551: "Fenix",
    1561: "Edge 510",
    1567: "Edge 810",
    1623: "Forerunner 620",
    1632: "Forerunner 220",
    1743: "HRM-Tri",
    1752: "HRM-Run",
    1765: "Forerunner 920XT",
    1836: "Edge 1000",
    1903: "Forerunner 15",
    1967: "Fenix 2",
    1988: "Epix",
    2050: "Fenix 3",
    2067: "Edge 520",
    2147: "Edge 25",
    2148: "Forerunner 25",
    2153: "Forerunner 225",
    2156: "Forerunner 630",
    2157: "Forerunner 230",
    2158: "Forerunner 735XT",
    2238: "Edge 20",
    2327: "HRM4-Run",
    2413: "Fenix 3 HR",
    2431: "Forerunner 235",
    2503: "Forerunner 35",
    2530: "Edge 820",
    2544: "Fenix 5S",
    2604: "Fenix 5X",
    2691: "Forerunner 935",
    2697: "Fenix 5",
    2700: "Vivoactive 3",
    2713: "Edge 1030",
    2886: "Forerunner 645",
    2888: "Forerunner 645 Music",
    2891: "Forerunner 30",
    2900: "Fenix 5S Plus",
    3011: "Edge Explore",
    3076: "Forerunner 245",
    3077: "Forerunner 245 Music",
    3110: "Fenix 5 Plus",
    3111: "Fenix 5X Plus",
    3112: "Edge 520 Plus",
    3113: "Forerunner 945",
    3121: "Edge 530",
    3122: "Edge 830",
    3224: "Vivoactive 4S",
    3225: "Vivoactive 4",
    3226: "Venu",
    3282: "Forerunner 45",
    3288: "Fenix 6S",
    3290: "Fenix 6",
    3291: "Fenix 6X",
    3299: "HRM-Dual",
    3300: "HRM-Pro",
    3466: "Instinct Solar",
    3558: "Edge 130 Plus",
    3570: "Edge 1030 Plus",
    3589: "Forerunner 745",
    3600: "Venu Sq",
    3638: "Enduro",
    3652: "Forerunner 945 LTE",
    3703: "Venu 2",
    3704: "Venu 2S",
    3843: "Edge 1040",
    3851: "Venu 2 Plus",
    3869: "Forerunner 55",
    3888: "Instinct 2",
    3889: "Instinct 2S",
    3905: "Fenix 7S",
    3906: "Fenix 7",
    3907: "Fenix 7X",
    3943: "Epix (Gen 2)",
    3990: "Forerunner 255 Music",
    3991: "Forerunner 255S Music",
    3992: "Forerunner 255",
    3993: "Forerunner 255S",
    4024: "Forerunner 955",
    4061: "Edge 540",
    4062: "Edge 840",
    4115: "Venu Sq 2",
    4130: "HRM-Pro Plus",
    4155: "Instinct Crossover",
    4169: "Edge Explore 2",
    4257: "Forerunner 265",
    4258: "Forerunner 265S",
    4260: "Venu 3",
    4261: "Venu 3S",
    4315: "Forerunner 965",
    4341: "Enduro 2",
    4394: "Instinct 2X",
    4426: "Vivoactive 5",
    4432: "Forerunner 165",
    4433: "Forerunner 165 Music",
    4440: "Edge 1050",
    4536: "Fenix 8",
    4575: "Enduro 3",
    4625: "Vivoactive 6",
}


# Other makers' products known by number.
OTHER_PRODUCTS = {
    (265, 102): "Strava Android App",
}


def name(manufacturer: int | None, product: int | None) -> str | None:
    """A FIT device's name from its manufacturer and product numbers: "Garmin Forerunner 245",
    "Garmin (product 9999)", "Suunto", "Maker 4242"; None when the file names no maker."""
    if manufacturer is None:
        return None
    maker = MANUFACTURERS.get(manufacturer, f"Maker {manufacturer}")
    if manufacturer not in GARMIN_FAMILY or product is None:
        return OTHER_PRODUCTS.get((manufacturer, -1 if product is None else product), maker)
    model = GARMIN_PRODUCTS.get(product)
    if model is None:
        return f"{maker} (product {product})"
    return f"{maker} {model}"
