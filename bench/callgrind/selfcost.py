#!/usr/bin/env python3
"""Exclusive instructions per response by function, from a callgrind dump that run.sh kept (KEEP=1).

    KEEP=1 bench/callgrind/run.sh ...            # the dump directory stays: /tmp/ringtracker-callgrind.*
    bench/callgrind/selfcost.py DIR [--top 30]
    bench/callgrind/selfcost.py BASE_DIR NEW_DIR  # both, with the difference per function

callgrind_annotate attributes the whole dump to `clone` for the Swift toolchain's binaries (the
function records do not resolve), so this sums the raw `fn=` self-cost lines of the "loaded" dump
(the file whose trigger is "dump loaded"), skipping the inclusive cost line after each `calls=`, and divides by the responses in
DIR/load.json. The loaded dump alone: its total is about 40–90 above run.sh's loaded-minus-idle.
Standard library only, plus `swift demangle` for names.
"""
import argparse, collections, json, os, re, subprocess, sys


def self_costs(directory):
    with open(os.path.join(directory, 'load.json')) as f:
        counts = json.load(f)['totalCounts']
    responses = counts['announces'] + counts['connects'] + counts['scrapes']
    if responses == 0:
        sys.exit(f'{directory}: no responses in load.json')
    names, cost = {}, collections.Counter()
    function, skip_next, positions, ir_column = None, False, 1, 1
    with open(loaded_dump(directory), errors='replace') as f:
        for line in f:
            if line.startswith('events:'):
                events = line.split()[1:]
                if 'Ir' not in events:
                    sys.exit('the dump has no Ir event')
                # A cost line is the position(s), then one column per event.
                ir_column = positions + events.index('Ir')
                continue
            if line.startswith('positions:'):
                positions = len(line.split()) - 1
                continue
            match = re.match(r'(c?fn)=(?:\((\d+)\))? ?(.*)', line.rstrip('\n'))
            if match:
                key, name = match.group(2), match.group(3)
                if key is not None and name:
                    names[key] = name
                if match.group(1) == 'fn':
                    function = names.get(key, key) if key is not None else name
                continue
            if line.startswith('calls='):
                skip_next = True
                continue
            if line[:1].isdigit() or line[:1] in '+-*':
                if skip_next:
                    skip_next = False
                    continue
                fields = line.split()
                if function is not None and len(fields) > ir_column:
                    cost[function] += int(fields[ir_column])
    return responses, {name: value / responses for name, value in cost.items()}


def loaded_dump(directory):
    # run.sh dumps with a trigger name; the file number depends on what else was dumped.
    for name in sorted(os.listdir(directory)):
        if name.startswith('cg.out'):
            with open(os.path.join(directory, name), errors='replace') as f:
                head = f.read(4096)
            if re.search(r'^desc: Trigger: dump loaded$', head, re.M):
                return os.path.join(directory, name)
    sys.exit(f'{directory}: no dump named "loaded" (run.sh with KEEP=1 keeps it)')


def demangle(symbols):
    # Full names: --simplified drops the specialisation, merging Peer4's and Peer6's copies.
    result = subprocess.run(['swift', 'demangle'], input='\n'.join(symbols),
                            capture_output=True, text=True)
    lines = result.stdout.split('\n') if result.returncode == 0 else []
    return [lines[i] if i < len(lines) and lines[i] else s for i, s in enumerate(symbols)]


def by_name(costs):
    symbols = list(costs)
    merged = collections.Counter()
    for symbol, name in zip(symbols, demangle(symbols)):
        # Which arguments a build exploded is not the function: key on what it specialises.
        merged[re.sub(r'^((merged )?function signature specialization <[^>]*> of )+', '', name)] += costs[symbol]
    return merged


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('dirs', nargs='+', help='one dump directory, or BASE NEW')
    parser.add_argument('--top', type=int, default=30)
    args = parser.parse_args()
    if len(args.dirs) == 1:
        responses, costs = self_costs(args.dirs[0])
        top = sorted(costs.items(), key=lambda item: -item[1])[:args.top]
        print(f'{responses:,} responses; total {sum(costs.values()):,.0f} Ir per response (loaded dump)')
        for (symbol, value), name in zip(top, demangle([s for s, _ in top])):
            print(f'{value:8.1f}  {name[:160]}')
        return
    if len(args.dirs) != 2:
        sys.exit('give one directory, or two (base, new)')
    (base_responses, base), (new_responses, new) = self_costs(args.dirs[0]), self_costs(args.dirs[1])
    # Mangled names of specialisations differ between builds: compare by demangled name.
    base, new = by_name(base), by_name(new)
    print(f'base {base_responses:,} responses, total {sum(base.values()):,.0f}; '
          f'new {new_responses:,} responses, total {sum(new.values()):,.0f} Ir per response (loaded dumps)')
    rows = sorted(((new.get(s, 0) - base.get(s, 0), s) for s in set(base) | set(new)), key=lambda r: -abs(r[0]))
    rows = sorted([r for r in rows if abs(r[0]) >= 1.0][:args.top], key=lambda r: r[0])
    print(f'{"base":>8} {"new":>8} {"change":>8}  function')
    for change, name in rows:
        print(f'{base.get(name, 0):8.1f} {new.get(name, 0):8.1f} {change:+8.1f}  {name[:160]}')


if __name__ == '__main__':
    main()
