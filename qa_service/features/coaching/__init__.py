"""Coaching tasks: assigned from a call or a finding, acknowledged and done by the agent."""
