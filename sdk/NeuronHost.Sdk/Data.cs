namespace NeuronHost.Sdk;

/// <summary>One split of a probing task: activations [tokens, neurons] and one label per token
/// (an index into <see cref="ProbingData.ClassNames"/>). <paramref name="Words"/>, when the
/// host has them, are the word forms of the tokens (for max-activating examples).</summary>
public sealed record DataSplit(IActivationMatrix Activations, ReadOnlyMemory<int> Labels, IReadOnlyList<string>? Words = null)
{
    public long Tokens => Activations.Rows;

    /// <summary>The universal part of speech (UPOS) of each token, when the host has it: lets an
    /// intervention take class means over the word class it edits (translation: nouns only).</summary>
    public IReadOnlyList<string>? WordClasses { get; init; }
}

/// <summary>A probing task as rankings and probes see it. Dev and Test may be absent. (The
/// host evaluates the Hewitt &amp; Liang control task by handing probes a second ProbingData
/// with the control labels over the same activations.)</summary>
public sealed record ProbingData(
    string Task,
    IReadOnlyList<string> ClassNames,
    DataSplit Train,
    DataSplit? Dev = null,
    DataSplit? Test = null)
{
    public IReadOnlyList<NeuronRef> Neurons => Train.Activations.Neurons;
    public int ClassCount => ClassNames.Count;
}

/// <summary>One word of an annotated sentence (CoNLL-U's columns; empty strings where the corpus
/// has no value).</summary>
public sealed record AnnotatedWord(
    string Form,
    string Lemma = "",
    string Upos = "",
    string Xpos = "",
    IReadOnlyDictionary<string, string>? Features = null,
    int Head = -1,
    string DepRel = "")
{
    public string? Feature(string name) => Features is not null && Features.TryGetValue(name, out var v) ? v : null;
}

public sealed record AnnotatedSentence(string Id, IReadOnlyList<AnnotatedWord> Words)
{
    /// <summary>The sentence as the model reads it: <see cref="SourceText"/> when the host gives
    /// one, else the words joined by spaces ("do n't", "end .").</summary>
    public string Text => SourceText ?? string.Join(' ', Words.Select(w => w.Form));

    /// <summary>The original text (CoNLL-U <c># text</c>) when the analysis reads text
    /// (<c>lm_input: text</c>); null when it reads words joined by spaces.</summary>
    public string? SourceText { get; init; }
}

/// <summary>A multiple-choice prompt (skill neurons, NEG): the model scores each choice as the
/// next token(s) after <paramref name="Prompt"/>; <paramref name="Answer"/> indexes Choices.</summary>
public sealed record ChoicePrompt(string Prompt, IReadOnlyList<string> Choices, int Answer, string? Task = null);
