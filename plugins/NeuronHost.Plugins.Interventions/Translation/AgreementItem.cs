using NeuronHost.Sdk;

namespace NeuronHost.Plugins.Interventions.Translation;

/// <summary>A place in an annotated sentence where the model's own prediction depends on a
/// noun's Number: a subject noun and, later, the agreeing verb form (is/are, was/were, has/have).
/// The model reads the words before the verb; its choice between the two forms is scored.</summary>
internal sealed record AgreementItem(
    AnnotatedSentence Sentence, int NounIndex, int VerbIndex, string Value, string SingularForm, string PluralForm)
{
    public string FormFor(string number) => number == "Sing" ? SingularForm : PluralForm;

    private static readonly Dictionary<string, (string Sing, string Plur)> Pairs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["is"] = ("is", "are"), ["are"] = ("is", "are"),
        ["was"] = ("was", "were"), ["were"] = ("was", "were"),
        ["has"] = ("has", "have"), ["have"] = ("has", "have"),
    };

    /// <summary>Subject nouns (nsubj, NOUN, Number=Sing|Plur) with a later agreeing verb form that
    /// is the noun's head or shares its head (aux/cop), and agrees with it.</summary>
    public static IEnumerable<AgreementItem> Find(IEnumerable<AnnotatedSentence> sentences, string attribute)
    {
        foreach (var sentence in sentences)
        {
            var words = sentence.Words;
            for (int n = 0; n < words.Count; n++)
            {
                var noun = words[n];
                if (noun.Upos != "NOUN" || !noun.DepRel.StartsWith("nsubj", StringComparison.Ordinal)) continue;
                var number = noun.Feature(attribute);
                if (number is not ("Sing" or "Plur")) continue;
                for (int v = n + 1; v < words.Count; v++)
                {
                    var verb = words[v];
                    if (!Pairs.TryGetValue(verb.Form, out var pair)) continue;
                    bool related = verb.Head == noun.Head || v + 1 == noun.Head;   // sibling aux/cop, or the noun's head
                    if (!related) continue;
                    string expected = number == "Sing" ? pair.Sing : pair.Plur;
                    if (!verb.Form.Equals(expected, StringComparison.OrdinalIgnoreCase)) break;
                    yield return new AgreementItem(sentence, n, v, number, pair.Sing, pair.Plur);
                    break;
                }
            }
        }
    }
}
