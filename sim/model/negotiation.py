"""Bargaining while fighting, as a Mesa model over an ensemble of runs.

One step is one round (the scenario's round length). Every update is synchronous: each round the
war is fought from the state at the round's start, costs are paid, deals and ceasefires may break
down, and then the talks react to the round's outcome. See ``docs/model.md`` for the equations.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.model.acceptance import TOLERANCE, Acceptance, search_zone
from sim.model.agents import ActorAgent
from sim.model.arrays import rows_at
from sim.model.breakdown import age_weight, protected_hazard, round_hazard
from sim.model.compromise import compromise_forecast
from sim.model.events import EventSchedule
from sim.model.inputs import ModelInputs
from sim.model.noise import RoundNoise
from sim.model.offer import Talks
from sim.model.power_shift import advance_shift, current_chance
from sim.model.reneging import RenegingRule, reneging_rule, who_broke
from sim.model.state import NO_ROUND, NOBODY, NegotiationState, aggregate, at_edge, ceasefire_package, red_lines
from sim.registry.models import PROTOCOLS, BargainingProtocol


class NegotiationModel(mesa.Model):
    """Ukraine-style bargaining while fighting, generic in its actors, issues and regions.

    Its chance comes from ``noise``, the war's random numbers of a whole chunk, of which the model runs ``columns``
    (a model per structure of the scenario shares one chunk's noise). Mesa's own generators are not used; Mesa counts
    the rounds (``steps``), holds the actors (``agents``) and runs a model alone (``run_model``). What the rules read
    from round to round is its :class:`~sim.model.state.NegotiationState`, passed down to them with its ``inputs``.
    """

    def __init__(
        self,
        inputs: ModelInputs,
        noise: RoundNoise,
        record_history: bool = False,
        events: EventSchedule | None = None,
        columns: slice | np.ndarray = slice(None),
    ):
        super().__init__(seed=0)
        self.noise = noise
        self.columns = columns
        self.inputs = inputs
        self.events = events
        runs = inputs.runs
        self.running = inputs.horizon > 0
        self.history: list[dict[str, np.ndarray]] | None = [] if record_history else None
        self.proposal = np.full((len(inputs.issues), runs), np.nan)
        self.rejecters = np.zeros((len(inputs.actors), runs), bool)
        self.state = NegotiationState.start(inputs)
        self.front_start = self.state.front_share
        self.compromise_start = compromise_forecast(inputs)
        self.compromise = self.compromise_start  # as the inputs now stand: refreshed when an event changes them
        self.decided = np.zeros(runs, bool)
        self.decided_round = np.full(runs, NO_ROUND)
        self.deal = np.zeros(runs, bool)
        self.deal_round = np.full(runs, NO_ROUND)
        self.package = np.full((len(inputs.issues), runs), np.nan)
        self.broken = np.zeros(runs, bool)
        self.broken_round = np.full(runs, NO_ROUND)
        self.reneged_by = np.full(runs, NOBODY)
        self.breakdown_reason = np.zeros(runs, np.int8)
        self.ceasefire_round = np.full(runs, NO_ROUND)
        self.zone_round = np.full(runs, NO_ROUND)
        self.front_at_deal = np.full(runs, np.nan)
        for index in range(len(inputs.actors)):
            ActorAgent(self, index, inputs)
        self.veto_holders = self.actor_agents.select(lambda agent: agent.veto)
        self.veto = [agent.index for agent in self.veto_holders]
        self.zone_weight = np.zeros((len(self.veto), runs))
        self.zone_package = np.full((len(inputs.issues), runs), np.nan)
        if inputs.groups is not None:
            self.zone_weight = inputs.groups.search_weight(self.veto)
        self.hard_red_lines = not np.isfinite(inputs.audience_cost).any()
        protocol = PROTOCOLS.get(inputs.mechanism)
        self.protocol = protocol(inputs) if protocol is not None else None

    @property
    def actor_agents(self) -> mesa.agent.AgentSet:
        """The actors, in the scenario's order: Mesa's set of this model's :class:`ActorAgent`."""
        return self.agents_by_type[ActorAgent]

    @property
    def round(self) -> int:
        """The round in play (0 before the first): Mesa counts a step before running it, so ``steps`` is 1 in round 0."""
        return max(self.steps - 1, 0)

    def acceptance(self, outside: dict[int, np.ndarray], talking: np.ndarray) -> tuple[np.ndarray, Acceptance]:
        """The veto holders' acceptance rules this round, given their outside options ``[n]`` in the ``talking`` runs
        (indices), over those of them in which some package lies within every hard red line; and those runs."""
        inputs = self.inputs
        veto = np.array(self.veto)
        red_lower, red_upper = red_lines(inputs, self.state, self.veto, talking)
        hard = self.hard_red_lines
        runs, options = talking, np.stack([outside[a] for a in veto])
        if hard:
            open_ = (red_lower.max(axis=0) <= red_upper.min(axis=0) + TOLERANCE).all(axis=0)
            runs, options = talking[open_], np.compress(open_, options, axis=-1)
            red_lower, red_upper = np.compress(open_, red_lower, axis=-1), np.compress(open_, red_upper, axis=-1)
        lower = np.maximum(red_lower.max(axis=0), 0.0) if hard else np.zeros(red_lower.shape[1:])
        upper = np.minimum(red_upper.min(axis=0), 1.0) if hard else np.ones(red_upper.shape[1:])
        threshold = np.maximum(options, rows_at(inputs.reservation, veto, runs))
        return runs, Acceptance(
            position=rows_at(inputs.position, veto, runs),
            weight=rows_at(inputs.salience, veto, runs),
            lower=lower,
            upper=upper,
            red_lower=red_lower,
            red_upper=red_upper,
            audience_cost=inputs.audience_cost[runs],
            threshold=threshold,
            loss=rows_at(inputs.breakdown_loss, veto, runs),
            horizon=rows_at(inputs.planning_rounds, veto, runs).astype(float),
            base_hazard=inputs.base_hazard[runs],
            protection=inputs.protection[:, runs],
            delay=inputs.implementation_delay[runs],
            shape=inputs.breakdown_shape[runs],
            form=inputs.utility.take(runs),
            hard=hard,
            reneging=reneging_rule(inputs, self.state, self.actor_agents, runs),
            groups=inputs.groups.terms(veto, runs) if inputs.groups is not None else None,
        )

    # -- one round --------------------------------------------------------------------------------

    def step(self) -> None:
        """Fight, pay, let deals and ceasefires break down, then talk."""
        inputs, state = self.inputs, self.state
        state.round = self.round
        chances, fight = self.noise.draws(self.round)
        drawn = {name: values[self.columns] for name, values in chances.items()}
        if self.events is not None and self.events.apply(inputs, self.round, drawn):
            self.compromise = compromise_forecast(inputs)
        at_war = ~self.decided & (~self.deal | self.broken) & ~state.ceasefire
        exposure = at_war + state.ceasefire * inputs.ceasefire_cost_factor
        draws = fight[:, self.columns]
        self._fight(at_war, draws[:-2])
        state.front_share = aggregate(inputs, state.front)
        winter = bool(inputs.winter[self.round])
        for agent in self.actor_agents:
            agent.pay(exposure, winter)
        self._break_down(draws[-2], draws[-1])
        if self.protocol is not None:
            self._talk(self.protocol)
        if self.history is not None:
            self.history.append(self._snapshot(at_war))
        state.shift = advance_shift(inputs, state.shift, (self.deal & ~self.broken) | state.ceasefire)
        self.running = self.steps < inputs.horizon and not self._all_settled()

    def _fight(self, at_war: np.ndarray, draws: np.ndarray) -> None:
        inputs, state = self.inputs, self.state
        if not inputs.regions:
            return
        active = at_war & ~state.absorbed
        won = draws < current_chance(inputs.p_advance, state.shift)
        front = np.clip(state.front + np.where(active, np.where(won, inputs.step, -inputs.step), 0.0), 0.0, 1.0)
        state.absorbed = at_edge(front)
        state.front = np.where(state.absorbed, np.rint(front), front)
        wins = (won & active).sum(axis=0)
        battles = active.sum(axis=0)
        for agent in self.actor_agents:
            agent.observe(wins, battles)
        if not inputs.decisive:
            return
        newly = state.absorbed.all(axis=0) & ~self.decided & at_war
        self.decided |= newly
        self.decided_round[newly] = self.round

    def _break_down(self, deal_draw: np.ndarray, ceasefire_draw: np.ndarray) -> None:
        inputs = self.inputs
        held = np.flatnonzero(self.deal & ~self.broken)
        age = self.round - self.deal_round[held]
        protected = age > inputs.implementation_delay[held]
        base_hazard = inputs.base_hazard[held]
        guarded = protected_hazard(base_hazard, np.take(inputs.protection, held, axis=-1), self.package[:, held])
        hazard = round_hazard(np.where(protected, guarded, base_hazard), age_weight(age, inputs.breakdown_shape[held]))
        rule = reneging_rule(inputs, self.state, self.actor_agents, held)
        if rule is None:
            broke = held[deal_draw[held] < hazard]
            self.broken[broke] = True
            self.broken_round[broke] = self.round
        else:
            self._renege(rule, held, protected, hazard, deal_draw[held])
        self.state.ceasefire &= ~(ceasefire_draw < inputs.ceasefire_hazard)

    def _renege(
        self, rule: RenegingRule, runs: np.ndarray, protected: np.ndarray, hazard: np.ndarray, draw: np.ndarray
    ) -> None:
        """In the deals holding in ``runs`` (``protected``, ``hazard`` and ``draw`` given for those runs), each reneger
        weighs attacking again; the deal breaks by the exogenous hazard or the first that attacks."""
        gain = rule.gain(self.package[:, runs], protected)
        broke, who = who_broke(draw, hazard, rule.chances(gain))
        runs, who, gain = runs[broke], who[broke], gain[:, broke]
        attacker = np.array(self.inputs.renegers)[np.maximum(who, 0)]
        calculated = gain[np.maximum(who, 0), np.arange(runs.size)] > 0
        self.broken[runs] = True
        self.broken_round[runs] = self.round
        self.reneged_by[runs] = np.where(who >= 0, attacker, NOBODY)
        self.breakdown_reason[runs] = np.where(who < 0, 1, np.where(calculated, 3, 2))

    def _talk(self, protocol: BargainingProtocol) -> None:
        talking = ~self.decided & ~self.deal
        if not talking.any():
            return
        talking_runs = np.flatnonzero(talking)
        truce_offer = ceasefire_package(self.inputs, self.state) if self.inputs.ceasefire_issue is not None else None
        war, truce = {}, {}
        for agent in self.veto_holders:
            war[agent.index], truce[agent.index] = agent.values_without_deal(self.state, truce_offer, talking_runs)
        outside = {
            agent.index: agent.outside_option(self.state, war[agent.index], truce[agent.index], talking_runs)
            for agent in self.veto_holders
        }
        runs, rules = self.acceptance(outside, talking_runs)
        zone = search_zone(rules, self.zone_weight[:, runs], self.zone_package[:, runs])
        self.zone_weight[:, runs] = zone.log_weight
        self.zone_package[:, runs] = np.where(np.isfinite(zone.margin), zone.package, np.nan)
        first = runs[zone.found & (self.zone_round[runs] == NO_ROUND)]
        self.zone_round[first] = self.round
        talks = Talks(self.round, self.veto, self.compromise)
        offer = protocol.propose(talks, rules, zone, runs)
        offered = np.flatnonzero(offer.offered)
        delivered = offer.package if rules.groups is None else rules.groups.deliver(offer.package)
        answers = rules.answers(delivered[:, offered], offered)
        rejecters = np.zeros((len(self.actor_agents), self.inputs.runs), bool)
        for k, agent in enumerate(self.veto_holders):
            if agent.index != offer.proposer:
                rejecters[agent.index, runs[offered]] = ~answers[k]
        on_table = runs[offered]
        self.proposal = np.full((len(self.inputs.issues), self.inputs.runs), np.nan)
        self.proposal[:, on_table] = delivered[:, offered]
        self.rejecters = rejecters
        agreed = on_table[~rejecters[:, on_table].any(axis=0)]
        self.deal[agreed] = True
        self.deal_round[agreed] = self.round
        self.package[:, agreed] = self.proposal[:, agreed]
        self.state.ceasefire[agreed] = False
        self.front_at_deal[agreed] = self.state.front_share[agreed]
        self._settle_front(agreed)
        if self.inputs.ceasefire_issue is not None:
            still_talking = talking.copy()
            still_talking[agreed] = False
            prefer_truce = np.zeros(self.inputs.runs, bool)
            prefer_truce[talking_runs] = np.all([truce[i] >= war[i] for i in war], axis=0)
            starts = still_talking & ~self.state.ceasefire & prefer_truce
            first = starts & (self.ceasefire_round == NO_ROUND)
            self.ceasefire_round[first] = self.round
            self.state.ceasefire = (self.state.ceasefire & prefer_truce) | starts

    def _settle_front(self, runs: np.ndarray) -> None:
        """A deal in ``runs`` (indices) redraws the map: the front's side holds what the front-following issues settle
        (their mean), each region gaining (or giving back) in proportion to what it has left to gain (or hold)."""
        inputs, state = self.inputs, self.state
        follows = inputs.follows_front
        if not runs.size or not follows.any() or not inputs.regions:
            return
        target = self.package[follows][:, runs].mean(axis=0)
        held, regions = state.front_share[runs], state.front[:, runs]
        gain = np.divide(target - held, 1.0 - held, out=np.zeros_like(held), where=held < 1.0)
        keep = np.divide(target, held, out=np.ones_like(held), where=held > 0.0)
        settled = np.clip(np.where(target >= held, regions + gain * (1.0 - regions), regions * keep), 0.0, 1.0)
        front, absorbed = state.front.copy(), state.absorbed.copy()
        front[:, runs], absorbed[:, runs] = settled, at_edge(settled)
        state.front, state.absorbed, state.front_share = front, absorbed, aggregate(inputs, front)

    def _snapshot(self, at_war: np.ndarray) -> dict[str, np.ndarray]:
        """The state at the end of this round, for a round-by-round history."""
        inputs, now = self.inputs, self.state
        state = {
            "round": np.full(inputs.runs, self.round),
            "fighting": at_war.copy(),
            "ceasefire": now.ceasefire.copy(),
            "deal": self.deal & ~self.broken,
            "broken": self.broken.copy(),
            "decided": self.decided.copy(),
            "front": now.front_share,
        }
        state |= {f"front_{region}": now.front[g].copy() for g, region in enumerate(inputs.regions)}
        proposal = inputs.issue_low[:, None] + inputs.issue_span[:, None] * self.proposal
        state |= {f"proposal_{issue}": proposal[j] for j, issue in enumerate(inputs.issues)}
        state["zone"] = self.zone_round != NO_ROUND
        state |= {f"rejected_by_{agent.name}": self.rejecters[agent.index] for agent in self.veto_holders}
        state |= {f"belief_{agent.name}": agent.expected_p_advance(now) for agent in self.actor_agents}
        state |= {f"cost_{agent.name}": agent.cost_paid.copy() for agent in self.actor_agents}
        return state

    def _all_settled(self) -> bool:
        """No run can change any more: decided by arms, or a deal that cannot break down."""
        unbreakable = self.deal & ~self.broken & (self.inputs.base_hazard == 0) & (not self.inputs.renegers)
        return bool((self.decided | unbreakable).all())
