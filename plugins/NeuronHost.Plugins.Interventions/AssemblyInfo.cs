namespace NeuronHost.Plugins.Interventions;
