namespace NeuronHost.Core.Reports.Html;

/// <summary>The report's opening: the two questions answered in sentences from the numbers, and
/// the caveats, before any figure.</summary>
internal static class StorySection
{
    public static void Write(HtmlDoc doc, RunResults r)
    {
        var story = RunStory.Of(r);
        if (story.Encoding.Count == 0 && r.Interventions.Count == 0 && story.Caveats.Count == 0) return;
        string task = r.Identity.Task.Length > 0 ? r.Identity.Task : "this property";
        doc.H2("What this run shows", "story");
        if (story.Encoding.Count > 0)
        {
            doc.H3($"Which neurons encode {task}?");
            doc.List(story.Encoding, "story");
        }
        if (story.Use.Count > 0)
        {
            doc.H3("Does the model use them?");
            doc.List(story.Use, "story");
        }
        if (story.Caveats.Count > 0)
        {
            doc.H3("Before you cite these numbers");
            doc.List(story.Caveats, "caveats");
        }
    }
}
