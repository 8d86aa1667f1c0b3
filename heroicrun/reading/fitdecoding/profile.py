"""The part of the FIT profile heroicrun reads: messages, fields, scales and enum names.

Numbers and names are the FIT SDK's (Profile.xlsx). A value is stored as `raw / scale - offset`;
heroicrun keeps the field names so that a decoded column reads as the SDK documents it.
"""

from __future__ import annotations

from typing import NamedTuple


class Field(NamedTuple):
    name: str
    scale: float = 1.0
    offset: float = 0.0


TIMESTAMP = 253  # the field number every timed message uses for its time
# The 3-byte field of old devices packing speed (12 bits, /100) and distance (12 bits, /16,
# counting on from the previous record and wrapping at 4096).
COMPRESSED_SPEED_DISTANCE = 8
RECORD = 20

# Global message number → (name, {field number: field}). Other messages are skipped by size.
MESSAGES: dict[int, tuple[str, dict[int, Field]]] = {
    0: ("file_id", {0: Field("type"), 1: Field("manufacturer"), 2: Field("product")}),
    12: ("sport", {0: Field("sport"), 1: Field("sub_sport")}),
    18: (
        "session",
        {
            TIMESTAMP: Field("timestamp"),
            2: Field("start_time"),
            5: Field("sport"),
            6: Field("sub_sport"),
            7: Field("total_elapsed_time", 1000),
        },
    ),
    RECORD: (
        "record",
        {
            TIMESTAMP: Field("timestamp"),
            0: Field("position_lat"),
            1: Field("position_long"),
            2: Field("altitude", 5, 500),
            3: Field("heart_rate"),
            4: Field("cadence"),
            5: Field("distance", 100),
            6: Field("speed", 1000),
            53: Field("fractional_cadence", 128),
            73: Field("enhanced_speed", 1000),
            78: Field("enhanced_altitude", 5, 500),
        },
    ),
    21: ("event", {TIMESTAMP: Field("timestamp"), 0: Field("event"), 1: Field("event_type")}),
    23: (
        "device_info",
        {0: Field("device_index"), 2: Field("manufacturer"), 4: Field("product")},
    ),
    31: ("course", {4: Field("sport"), 7: Field("sub_sport")}),
    162: (
        "timestamp_correlation",
        {
            TIMESTAMP: Field("timestamp"),
            0: Field("fractional_timestamp", 32768),
            1: Field("system_timestamp"),
            2: Field("fractional_system_timestamp", 32768),
            4: Field("timestamp_ms"),
            5: Field("system_timestamp_ms"),
        },
    ),
}

# Base type number (the low 5 bits of the base type byte) → (numpy kind, size, invalid value).
# Strings (7) and byte arrays (13) carry nothing heroicrun reads as a number.
BASE_TYPES: dict[int, tuple[str, int, float | None]] = {
    0: ("u1", 1, 0xFF),  # enum
    1: ("i1", 1, 0x7F),
    2: ("u1", 1, 0xFF),
    3: ("i2", 2, 0x7FFF),
    4: ("u2", 2, 0xFFFF),
    5: ("i4", 4, 0x7FFFFFFF),
    6: ("u4", 4, 0xFFFFFFFF),
    8: ("f4", 4, None),  # invalid is NaN
    9: ("f8", 8, None),
    10: ("u1", 1, 0),  # the "z" types are invalid at zero
    11: ("u2", 2, 0),
    12: ("u4", 4, 0),
    14: ("i8", 8, 0x7FFFFFFFFFFFFFFF),
    15: ("u8", 8, 0xFFFFFFFFFFFFFFFF),
    16: ("u8", 8, 0),
}

FILE_TYPES = {
    1: "device",
    2: "settings",
    3: "sport",
    4: "activity",
    5: "workout",
    6: "course",
    7: "schedules",
    9: "weight",
    10: "totals",
    11: "goals",
    14: "blood_pressure",
    15: "monitoring_a",
    20: "activity_summary",
    28: "monitoring_daily",
    32: "monitoring_b",
    34: "segment",
    35: "segment_list",
    40: "exd_configuration",
}
ACTIVITY_FILE = 4
CREATOR_DEVICE = 0  # device_info's device_index of the device that wrote the file
COURSE_FILE = 6

# event: 0 is the timer; event_type: 0 start, and the kinds of stop.
TIMER_EVENT = 0
TIMER_START = 0
TIMER_STOPS = frozenset({1, 4, 8, 9})  # stop, stop_all, stop_disable, stop_disable_all

SPORTS = {
    0: "generic",
    1: "running",
    2: "cycling",
    3: "transition",
    4: "fitness_equipment",
    5: "swimming",
    6: "basketball",
    7: "soccer",
    8: "tennis",
    9: "american_football",
    10: "training",
    11: "walking",
    12: "cross_country_skiing",
    13: "alpine_skiing",
    14: "snowboarding",
    15: "rowing",
    16: "mountaineering",
    17: "hiking",
    18: "multisport",
    19: "paddling",
    20: "flying",
    21: "e_biking",
    22: "motorcycling",
    23: "boating",
    24: "driving",
    25: "golf",
    26: "hang_gliding",
    27: "horseback_riding",
    28: "hunting",
    29: "fishing",
    30: "inline_skating",
    31: "rock_climbing",
    32: "sailing",
    33: "ice_skating",
    34: "sky_diving",
    35: "snowshoeing",
    36: "snowmobiling",
    37: "stand_up_paddleboarding",
    38: "surfing",
    39: "wakeboarding",
    40: "water_skiing",
    41: "kayaking",
    42: "rafting",
    43: "windsurfing",
    44: "kitesurfing",
    45: "tactical",
    46: "jumpmaster",
    47: "boxing",
    48: "floor_climbing",
    49: "baseball",
    53: "diving",
    62: "hiit",
    64: "racket",
    65: "wheelchair_push_walk",
    66: "wheelchair_push_run",
    67: "meditation",
    69: "disc_golf",
    71: "cricket",
    72: "rugby",
    73: "hockey",
    74: "lacrosse",
    75: "volleyball",
    76: "water_tubing",
    77: "wakesurfing",
    80: "mixed_martial_arts",
    82: "snorkeling",
    83: "dance",
    84: "jump_rope",
    254: "all",
}

# Sub-sports that say more than a vague sport ("fitness_equipment", "training") does.
SUB_SPORTS = {
    1: "treadmill",
    2: "street",
    3: "trail",
    4: "track",
    5: "spin",
    6: "indoor_cycling",
    7: "road",
    8: "mountain",
    11: "cyclocross",
    13: "track_cycling",
    14: "indoor_rowing",
    15: "elliptical",
    16: "stair_climbing",
    17: "lap_swimming",
    18: "open_water",
    19: "flexibility_training",
    20: "strength_training",
    26: "cardio_training",
    27: "indoor_walking",
    28: "e_bike_fitness",
    30: "casual_walking",
    31: "speed_walking",
    43: "yoga",
    44: "pilates",
    45: "indoor_running",
    46: "gravel_cycling",
    47: "e_bike_mountain",
    58: "virtual_activity",
    59: "obstacle",
    67: "ultra",
    86: "indoor_wheelchair_walk",
    87: "indoor_wheelchair_run",
}
# Sports too vague to name what was done: their sub-sport names it when it can.
VAGUE_SPORTS = frozenset({0, 4, 10, 254})
