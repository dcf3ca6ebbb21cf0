"""Writes the built-in subject-verb agreement prompt set (host/NeuronHost.Data/Prompts/agreement.jsonl).

Each prompt is a subject noun phrase, optionally followed by an attractor phrase whose noun has
the opposite number; the model must continue with the verb form that agrees with the subject.
Deterministic: no randomness, the file is regenerated identically."""
import itertools, json, pathlib

nouns = [("man", "men"), ("woman", "women"), ("child", "children"), ("dog", "dogs"), ("officer", "officers"),
         ("student", "students"), ("teacher", "teachers"), ("member", "members"), ("report", "reports"),
         ("farmer", "farmers"), ("letter", "letters"), ("church", "churches")]
attractors = [("near the house", "near the houses"), ("of the company", "of the companies"),
              ("with the car", "with the cars"), ("behind the door", "behind the doors")]
verbs = [("is", "are"), ("was", "were"), ("has", "have")]

out = pathlib.Path(__file__).resolve().parents[2] / "host/NeuronHost.Data/Prompts/agreement.jsonl"
lines = []
for (i, (sg, pl)), (vs, vp) in itertools.product(enumerate(nouns), verbs):
    for number, subject in (("Sing", sg), ("Plur", pl)):
        answer = 0 if number == "Sing" else 1
        lines.append({"prompt": f"The {subject}", "choices": [vs, vp], "answer": answer, "task": "agreement"})
        # an attractor of the opposite number between subject and verb
        a_sg, a_pl = attractors[i % len(attractors)]
        attractor = a_pl if number == "Sing" else a_sg
        lines.append({"prompt": f"The {subject} {attractor}", "choices": [vs, vp], "answer": answer, "task": "agreement-attractor"})
out.write_text("".join(json.dumps(l) + "\n" for l in lines))
print(len(lines), "prompts ->", out)
