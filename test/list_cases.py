#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 The hvdev authors
"""Print the case names of a test suite: the first field of each HVDEV_CASE(name, fn) entry."""
import re
import sys

with open(sys.argv[1], encoding='utf-8') as f:
    for m in re.finditer(r'^\s*HVDEV_CASE\(\s*(\w+)\s*,', f.read(), re.M):
        print(m.group(1))
