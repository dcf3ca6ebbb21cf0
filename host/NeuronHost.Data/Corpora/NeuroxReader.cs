using NeuronHost.Sdk;

namespace NeuronHost.Data.Corpora;

/// <summary>Reads NeuroX's plain pair of files: a sentences file (one sentence per line, words
/// separated by spaces) and a labels file (one line per sentence, one label per word). The
/// label of each word is stored as its <see cref="AnnotatedWord.Xpos"/> (task "label" or
/// "xpos" reads it). A line whose word and label counts differ is an error naming both files
/// and the line.</summary>
public static class NeuroxReader
{
    public static Corpus Read(string sentencesFile, string labelsFile)
    {
        var sentences = CorpusLineReader.ReadAllLines(sentencesFile);
        var labels = CorpusLineReader.ReadAllLines(labelsFile);
        int n = sentences.Count, m = labels.Count;
        // A trailing empty line is not a sentence.
        while (n > 0 && string.IsNullOrWhiteSpace(sentences[n - 1])) n--;
        while (m > 0 && string.IsNullOrWhiteSpace(labels[m - 1])) m--;
        if (n != m)
            throw new CorpusFormatException(labelsFile, Math.Min(n, m) + 1,
                $"{sentencesFile} has {n} sentences but {labelsFile} has {m} label lines");
        var result = new List<CorpusSentence>(n);
        for (int i = 0; i < n; i++)
        {
            var words = sentences[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var tags = labels[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != tags.Length)
                throw new CorpusFormatException(labelsFile, i + 1,
                    $"line {i + 1} has {words.Length} words in {sentencesFile} but {tags.Length} labels");
            if (words.Length == 0)
                throw new CorpusFormatException(sentencesFile, i + 1, "empty sentence");
            result.Add(CorpusSentence.FromWords($"{Path.GetFileName(sentencesFile)}:{i + 1}",
                words.Select((w, k) => new AnnotatedWord(w, Xpos: tags[k])).ToArray()));
        }
        return new Corpus(Path.GetFileNameWithoutExtension(sentencesFile), "neurox", [sentencesFile, labelsFile],
            [new CorpusSplit("all", result)]);
    }
}
