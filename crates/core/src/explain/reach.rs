//! Whether some request exists that a set of policy statements lets through: a search over the statements'
//! own patterns, not a try of made-up names.
//!
//! A request is the string `action SEP resource SEP prefix`, where the prefix part is either "absent" (the
//! request carries no `s3:prefix`) or "present" followed by its value. Every statement, and every question,
//! is a [`Comp`]: for each of the three parts a conjunction of [`Clause`]s, each "one of these IAM
//! wildcard patterns matches" or its negation (`NotAction`, `NotResource`, `StringNotLike`). The search
//! runs all of them at once, as automata over the characters the patterns name plus one character none of
//! them names (which stands for every other character: a pattern cannot tell them apart), breadth first,
//! so it finds the shortest request that the wanted components match and the unwanted ones (the Denies)
//! do not, or proves there is none. It is exact for what it models; a search that grows past its bound
//! answers [`Reach::Unknown`], which callers count as possible.

use std::collections::{HashSet, VecDeque};

/// One token of an IAM wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters.
    Star,
}

/// An IAM wildcard pattern (`*`, `?`), as an automaton over its positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob(Vec<Tok>);

impl Glob {
    /// A pattern from a policy. A policy variable (`${aws:username}`) is replaced by the user's own
    /// values, which are not known here: `wide` reads it as `*` (the pattern may match more), otherwise the
    /// pattern is dropped (it may match nothing). `${*}`, `${?}` and `${$}` are the literal characters.
    pub fn parse(pattern: &str, wide: bool) -> Option<Glob> {
        let mut toks = Vec::new();
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("${") {
                if let Some(end) = after.find('}') {
                    match &after[..end] {
                        "*" => toks.push(Tok::Lit('*')),
                        "?" => toks.push(Tok::Lit('?')),
                        "$" => toks.push(Tok::Lit('$')),
                        _ if wide => toks.push(Tok::Star),
                        _ => return None,
                    }
                    rest = &after[end + 1..];
                    continue;
                }
            }
            toks.push(match c {
                '*' => Tok::Star,
                '?' => Tok::One,
                c => Tok::Lit(c),
            });
            rest = &rest[c.len_utf8()..];
        }
        Some(Glob(toks))
    }

    /// Exactly `text`.
    pub fn literal(text: &str) -> Glob {
        Glob(text.chars().map(Tok::Lit).collect())
    }

    /// `text` followed by anything.
    pub fn starting(text: &str) -> Glob {
        let mut g = Glob::literal(text);
        g.0.push(Tok::Star);
        g
    }

    fn words(&self) -> usize {
        self.0.len() / 64 + 1
    }

    /// The positions reachable without reading a character from `set` (a `*` may match nothing).
    fn close(&self, set: &mut [u64]) {
        for (i, tok) in self.0.iter().enumerate() {
            if *tok == Tok::Star && bit(set, i) {
                set[(i + 1) / 64] |= 1 << ((i + 1) % 64);
            }
        }
    }

    fn start(&self, set: &mut [u64]) {
        set.iter_mut().for_each(|w| *w = 0);
        set[0] = 1;
        self.close(set);
    }

    fn step(&self, set: &[u64], c: char, out: &mut [u64]) {
        out.iter_mut().for_each(|w| *w = 0);
        for (i, tok) in self.0.iter().enumerate() {
            if !bit(set, i) {
                continue;
            }
            match *tok {
                Tok::Star => out[i / 64] |= 1 << (i % 64),
                Tok::One => out[(i + 1) / 64] |= 1 << ((i + 1) % 64),
                Tok::Lit(l) if l == c => out[(i + 1) / 64] |= 1 << ((i + 1) % 64),
                Tok::Lit(_) => {}
            }
        }
        self.close(out);
    }

    fn accepts(&self, set: &[u64]) -> bool {
        bit(set, self.0.len())
    }

    /// Whether every continuation is accepted (only `*` left from a reached position).
    fn accepts_all(&self, set: &[u64]) -> bool {
        (0..self.0.len()).any(|i| bit(set, i) && self.0[i..].iter().all(|t| *t == Tok::Star))
    }

    fn literals(&self) -> impl Iterator<Item = char> + '_ {
        self.0.iter().filter_map(|t| match t {
            Tok::Lit(c) => Some(*c),
            _ => None,
        })
    }
}

fn bit(set: &[u64], i: usize) -> bool {
    (set[i / 64] >> (i % 64)) & 1 == 1
}

/// "One of `globs` matches" (or, with `negated`, "none does"). For the prefix part, `absent` is the
/// clause's value when the request has no `s3:prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub globs: Vec<Glob>,
    pub negated: bool,
    pub absent: bool,
}

impl Clause {
    pub fn any_of(globs: Vec<Glob>) -> Clause {
        Clause { globs, negated: false, absent: false }
    }
    pub fn none_of(globs: Vec<Glob>) -> Clause {
        Clause { globs, negated: true, absent: true }
    }
    /// For the prefix part: the request carries no `s3:prefix`.
    pub fn absent() -> Clause {
        Clause { globs: vec![], negated: false, absent: true }
    }
}

/// The three parts of a request.
pub const ACTION: usize = 0;
pub const RESOURCE: usize = 1;
pub const PREFIX: usize = 2;

/// A statement or a question: every clause of every part holds. `wanted`: the request must match it
/// (an Allow, the question), or must not (a Deny).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Comp {
    pub parts: [Vec<Clause>; 3],
    pub unwanted: bool,
}

/// A request the search found (action, resource, and the `s3:prefix` when it has one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub action: String,
    pub resource: String,
    pub prefix: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    Yes(Request),
    No,
    /// The search outgrew its bound.
    Unknown,
}

impl Reach {
    /// "Can it ever?": unknown counts as possible.
    pub fn possible(&self) -> bool {
        !matches!(self, Reach::No)
    }
}

/// Where the search is in the prefix part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Mode {
    /// In the action (0) or resource (1) part.
    Part(u8),
    /// Before the prefix part's first character: absent or present.
    Choose,
    Present,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct State {
    mode: Mode,
    /// Per component: whether every clause decided so far holds.
    alive: Vec<bool>,
    /// Per glob of the current part (all components, in order): the reached positions.
    sets: Vec<u64>,
}

/// A visited state, the node it was reached from, and the character read to get there (`None` for the
/// end of a part or the prefix's choice).
type Node = (State, Option<usize>, Option<char>);

/// The most states one search visits before answering [`Reach::Unknown`].
const MAX_STATES: usize = 20_000;

/// The shortest request every wanted component matches and no unwanted one does.
pub fn search(comps: &[Comp]) -> Reach {
    Search::new(comps).run()
}

struct Search<'a> {
    comps: &'a [Comp],
    /// Per part: (component, clause, glob, offset in the state's sets) for every glob.
    layout: [Vec<(usize, usize, usize, usize)>; 3],
    width: [usize; 3],
    alphabet: Vec<char>,
}

impl<'a> Search<'a> {
    fn new(comps: &'a [Comp]) -> Self {
        let mut layout: [Vec<(usize, usize, usize, usize)>; 3] = Default::default();
        let mut width = [0; 3];
        let mut literals: Vec<char> = Vec::new();
        for part in 0..3 {
            for (ci, comp) in comps.iter().enumerate() {
                for (ki, clause) in comp.parts[part].iter().enumerate() {
                    for (gi, glob) in clause.globs.iter().enumerate() {
                        layout[part].push((ci, ki, gi, width[part]));
                        width[part] += glob.words();
                        literals.extend(glob.literals());
                    }
                }
            }
        }
        literals.sort_unstable();
        literals.dedup();
        // One character no pattern names stands for all of them; a letter, so a found name reads as one.
        let fresh = "abcdefghijklmnopqrstuvwxyz0123456789".chars().find(|c| !literals.contains(c)).unwrap_or('\u{1}');
        literals.push(fresh);
        Search { comps, layout, width, alphabet: literals }
    }

    fn glob(&self, part: usize, at: usize) -> &Glob {
        let (ci, ki, gi, _) = self.layout[part][at];
        &self.comps[ci].parts[part][ki].globs[gi]
    }

    fn start_part(&self, part: usize) -> Vec<u64> {
        let mut sets = vec![0; self.width[part]];
        for (at, &(_, _, _, off)) in self.layout[part].iter().enumerate() {
            let g = self.glob(part, at);
            g.start(&mut sets[off..off + g.words()]);
        }
        sets
    }

    /// Whether `clause` of component `ci` holds at the end of `part`.
    fn clause_holds(&self, part: usize, ci: usize, ki: usize, sets: &[u64]) -> bool {
        let clause = &self.comps[ci].parts[part][ki];
        let matched = self.layout[part].iter().enumerate().filter(|(_, &(c, k, _, _))| c == ci && k == ki).any(|(at, &(_, _, _, off))| {
            let g = self.glob(part, at);
            g.accepts(&sets[off..off + g.words()])
        });
        matched != clause.negated
    }

    /// Ends `part`: every component whose clauses there do not all hold is no longer alive.
    fn end_part(&self, part: usize, state: &mut State, absent: bool) {
        for ci in 0..self.comps.len() {
            if !state.alive[ci] {
                continue;
            }
            let holds = (0..self.comps[ci].parts[part].len()).all(|ki| {
                if absent {
                    self.comps[ci].parts[part][ki].absent
                } else {
                    self.clause_holds(part, ci, ki, &state.sets)
                }
            });
            state.alive[ci] = holds;
        }
    }

    /// Marks components that can no longer match (a clause already decided against them) as not alive,
    /// and forgets their positions, so equal situations are one state. False when a wanted component died.
    fn settle(&self, part: usize, state: &mut State) -> bool {
        for ci in 0..self.comps.len() {
            if !state.alive[ci] {
                continue;
            }
            let decided_false = self.comps[ci].parts[part].iter().enumerate().any(|(ki, clause)| {
                let mut globs = self.layout[part].iter().enumerate().filter(|(_, &(c, k, _, _))| c == ci && k == ki).map(|(at, &(_, _, _, off))| {
                    let g = self.glob(part, at);
                    (g, &state.sets[off..off + g.words()])
                });
                if clause.negated {
                    globs.any(|(g, s)| g.accepts_all(s))
                } else {
                    globs.all(|(_, s)| s.iter().all(|w| *w == 0))
                }
            });
            if decided_false {
                state.alive[ci] = false;
            }
        }
        for (at, &(ci, _, _, off)) in self.layout[part].iter().enumerate() {
            if !state.alive[ci] {
                let n = self.glob(part, at).words();
                state.sets[off..off + n].fill(0);
            }
        }
        self.comps.iter().zip(&state.alive).all(|(c, alive)| *alive || c.unwanted)
    }

    fn accepted(&self, state: &State) -> bool {
        self.comps.iter().zip(&state.alive).all(|(c, alive)| *alive != c.unwanted)
    }

    fn step(&self, state: &State, c: char) -> State {
        let part = match state.mode {
            Mode::Part(p) => p as usize,
            _ => PREFIX,
        };
        let mut sets = vec![0; state.sets.len()];
        for (at, &(ci, _, _, off)) in self.layout[part].iter().enumerate() {
            if state.alive[ci] {
                let g = self.glob(part, at);
                g.step(&state.sets[off..off + g.words()], c, &mut sets[off..off + g.words()]);
            }
        }
        State { mode: state.mode, alive: state.alive.clone(), sets }
    }

    fn run(&self) -> Reach {
        let first = State { mode: Mode::Part(0), alive: vec![true; self.comps.len()], sets: self.start_part(ACTION) };
        let mut seen: HashSet<State> = HashSet::new();
        let mut nodes: Vec<Node> = Vec::new();
        let mut queue = VecDeque::new();
        let mut push = |state: State, parent: Option<usize>, c: Option<char>, nodes: &mut Vec<Node>, queue: &mut VecDeque<usize>| {
            if !seen.insert(state.clone()) {
                return;
            }
            queue.push_back(nodes.len());
            nodes.push((state, parent, c));
        };
        let mut s = first;
        if self.settle(ACTION, &mut s) {
            push(s, None, None, &mut nodes, &mut queue);
        }
        while let Some(i) = queue.pop_front() {
            if nodes.len() > MAX_STATES {
                return Reach::Unknown;
            }
            let state = nodes[i].0.clone();
            match state.mode {
                Mode::Part(p) => {
                    let part = p as usize;
                    for &c in &self.alphabet {
                        let mut next = self.step(&state, c);
                        if self.settle(part, &mut next) {
                            push(next, Some(i), Some(c), &mut nodes, &mut queue);
                        }
                    }
                    let mut next = state.clone();
                    self.end_part(part, &mut next, false);
                    if p == 0 {
                        next.mode = Mode::Part(1);
                        next.sets = self.start_part(RESOURCE);
                        if self.settle(RESOURCE, &mut next) {
                            push(next, Some(i), None, &mut nodes, &mut queue);
                        }
                    } else {
                        next.mode = Mode::Choose;
                        next.sets = self.start_part(PREFIX);
                        if self.comps.iter().zip(&next.alive).all(|(c, alive)| *alive || c.unwanted) {
                            push(next, Some(i), None, &mut nodes, &mut queue);
                        }
                    }
                }
                Mode::Choose => {
                    let mut absent = state.clone();
                    self.end_part(PREFIX, &mut absent, true);
                    if self.accepted(&absent) {
                        return Reach::Yes(self.request(&nodes, i, false));
                    }
                    let mut present = state.clone();
                    present.mode = Mode::Present;
                    if self.settle(PREFIX, &mut present) {
                        push(present, Some(i), None, &mut nodes, &mut queue);
                    }
                }
                Mode::Present => {
                    let mut end = state.clone();
                    self.end_part(PREFIX, &mut end, false);
                    if self.accepted(&end) {
                        return Reach::Yes(self.request(&nodes, i, true));
                    }
                    for &c in &self.alphabet {
                        let mut next = self.step(&state, c);
                        if self.settle(PREFIX, &mut next) {
                            push(next, Some(i), Some(c), &mut nodes, &mut queue);
                        }
                    }
                }
            }
        }
        Reach::No
    }

    /// The request spelled by the path to node `i`.
    fn request(&self, nodes: &[Node], mut i: usize, present: bool) -> Request {
        let mut parts: [String; 3] = Default::default();
        loop {
            let (state, parent, c) = &nodes[i];
            let part = match state.mode {
                Mode::Part(p) => p as usize,
                _ => PREFIX,
            };
            if let Some(c) = c {
                parts[part].insert(0, *c);
            }
            match parent {
                Some(p) => i = *p,
                None => break,
            }
        }
        let [action, resource, prefix] = parts;
        Request { action, resource, prefix: present.then_some(prefix) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(p: &str) -> Glob {
        Glob::parse(p, true).unwrap()
    }

    fn want(action: Vec<Clause>, resource: Vec<Clause>, prefix: Vec<Clause>) -> Comp {
        Comp { parts: [action, resource, prefix], unwanted: false }
    }

    #[test]
    fn finds_the_shortest_request_or_proves_there_is_none() {
        let allow = want(vec![Clause::any_of(vec![g("s3:get*")])], vec![Clause::any_of(vec![g("arn:aws:s3:::acme-data*/*")])], vec![]);
        let other = want(vec![], vec![Clause::none_of(vec![Glob::starting("arn:aws:s3:::acme-data/")])], vec![Clause::absent()]);
        let Reach::Yes(r) = search(&[allow.clone(), other.clone()]) else { panic!("acme-data* covers other buckets") };
        assert!(r.resource.starts_with("arn:aws:s3:::acme-data") && !r.resource.starts_with("arn:aws:s3:::acme-data/"), "{r:?}");
        assert_eq!(r.prefix, None);
        // A Deny of everything outside acme-data/ leaves nothing.
        let deny = Comp { parts: [vec![], vec![Clause::none_of(vec![Glob::starting("arn:aws:s3:::acme-data/")])], vec![]], unwanted: true };
        assert_eq!(search(&[allow.clone(), other.clone(), deny]), Reach::No);
        // NotAction: every action but s3:Get* is allowed, and s3:GetObject is not among them.
        let not_get = want(vec![Clause::none_of(vec![g("s3:get*")])], vec![Clause::any_of(vec![g("*")])], vec![]);
        let ask = want(vec![Clause::any_of(vec![Glob::literal("s3:getobject")])], vec![], vec![Clause::absent()]);
        assert_eq!(search(&[not_get.clone(), ask]), Reach::No);
        let ask = want(vec![Clause::any_of(vec![Glob::literal("s3:putobject")])], vec![], vec![Clause::absent()]);
        assert!(search(&[not_get, ask]).possible());
    }

    #[test]
    fn the_prefix_is_absent_or_a_value() {
        let list = want(vec![], vec![], vec![Clause::any_of(vec![g("in/*")])]);
        let Reach::Yes(r) = search(&[list.clone()]) else { panic!() };
        assert_eq!(r.prefix.as_deref(), Some("in/"));
        assert_eq!(search(&[list.clone(), want(vec![], vec![], vec![Clause::absent()])]), Reach::No, "StringLike needs the key");
        let outside = want(vec![], vec![], vec![Clause::none_of(vec![Glob::starting("in/")])]);
        assert_eq!(search(&[list, outside.clone()]), Reach::No);
        let in_star = want(vec![], vec![], vec![Clause::any_of(vec![g("in*")])]);
        let Reach::Yes(r) = search(&[in_star, outside]) else { panic!("in* covers inbox/") };
        assert!(r.prefix.unwrap().starts_with("in"));
    }

    #[test]
    fn variables_widen_or_narrow() {
        assert_eq!(Glob::parse("home/${aws:username}/*", true), Some(g("home/*/*")));
        assert_eq!(Glob::parse("home/${aws:username}/*", false), None);
        assert_eq!(Glob::parse("a${*}b", false), Some(Glob::literal("a*b")));
    }
}
